import { describe, expect, it } from 'vitest';
import type { TriggerEvent } from '../../../src/contracts/trigger-event.js';
import { ACTION_TYPE, asRedriven, eventId, redrivenEventId } from '../../../src/mapping/trigger.js';

const source = { table: 'contracts', lsn: 123, txId: 9, primaryKey: '{"id":1}', op: 'u', committedAt: 1 };

describe('event ids', () => {
  it('are deterministic, UUID-shaped, and differ by kind, discriminator and position', () => {
    const id = eventId(source, 'contract_change', 'contract');
    expect(id).toBe(eventId({ ...source }, 'contract_change', 'contract'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventId(source, 'standard', 'contract')).not.toBe(id);
    expect(eventId(source, 'contract_change', 'other')).not.toBe(id);
    expect(eventId({ ...source, lsn: 124 }, 'contract_change', 'contract')).not.toBe(id);
  });

  it('of a partner_rules redrive derive from the original id and the as-of position only', () => {
    const original = eventId(source, 'contract_service_change', 'integrator:3');
    const redriven = redrivenEventId(original, 5000);
    expect(redriven).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The same redrive record mapped again (a crash, a replay): the same id, which partners drop.
    expect(redrivenEventId(original, 5000)).toBe(redriven);
    expect(redriven).not.toBe(original);
    // Redriven at a later position: other data, another event.
    expect(redrivenEventId(original, 5001)).not.toBe(redriven);
    expect(redrivenEventId(eventId(source, 'contract_service_change', 'integrator:4'), 5000)).not.toBe(redriven);
  });

  it('a redrive restricts each event to the refusing webhook, with its redrive id, and keeps the rest', () => {
    const event: TriggerEvent = {
      eventId: eventId(source, 'contract_service_change', 'integrator:3'),
      kind: 'contract_service_change',
      entity: null,
      action: 'insert',
      aggregateKey: 'contract:1',
      contractId: 1,
      companyId: 2,
      integratorId: 3,
      changeOffset: 40,
      source,
      body: { ActionType: 0 },
    };
    const [redriven, ...rest] = asRedriven([event], 90, 12);
    expect(rest).toEqual([]);
    expect(redriven).toEqual({ ...event, eventId: redrivenEventId(event.eventId, 90), onlyWebhookId: 12 });
  });

  it('code actions as the ERP does: 0 Inclusão, 1 Alteração, 2 Exclusão', () => {
    expect(ACTION_TYPE).toEqual({ insert: 0, update: 1, delete: 2 });
  });
});
