import { describe, expect, it } from 'vitest';
import { ACTION_TYPE, eventId } from '../../../src/mapping/trigger.js';

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

  it('code actions as the ERP does: 0 Inclusão, 1 Alteração, 2 Exclusão', () => {
    expect(ACTION_TYPE).toEqual({ insert: 0, update: 1, delete: 2 });
  });
});
