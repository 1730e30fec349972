import { describe, expect, it } from 'vitest';
import { resolveWebhooks } from '../../../src/config/webhooks.js';
import { prerequisitesMetAt, type ConfigView } from '../../../src/config/view.js';
import type { TriggerEvent } from '../../../src/contracts/trigger-event.js';
import { route } from '../../../src/routing/route.js';
import { configured } from '../../support/config-fixtures.js';
import { COMMITTED_AT, insert, world, mapAt } from '../../support/mapping-fixtures.js';

const NOW = Date.parse('2026-11-29T12:00:05Z');
const ACTIVE_BEFORE = COMMITTED_AT - 60_000;

/** A service added to contract 100 for integrator 7 (the fixture's Watch Brasil). */
function serviceEvent(state = world()): TriggerEvent {
  const result = mapAt(insert('contract_services', { id: 301, contract_id: 100, service_product_id: 200, created_at: null }), state);
  if (!result.ok) throw new Error(result.reason);
  return result.events[0]!;
}

const routeIn = (view: ConfigView, event: TriggerEvent) => route(event, resolveWebhooks(view), (t) => prerequisitesMetAt(view, t), NOW);

describe('version shaping', () => {
  const shapedFor = (version: number) => {
    const view = configured({}, ACTIVE_BEFORE);
    view.integrators.set(7, { ...view.integrators.get(7)!, version });
    const [routed] = routeIn(view, serviceEvent());
    return routed?.outcome === 'deliver' ? routed.delivery.body : undefined;
  };
  it('version 3 is the body with Active flags', () => {
    expect(Object.keys(shapedFor(3)!)).toEqual(['CompanyId', 'CompanyTxId', 'ActionType', 'Contract', 'ServiceChange']);
  });
  it('version 1 adds the Integrator block', () => {
    expect(shapedFor(1)).toMatchObject({ CompanyId: 1, ActionType: 0, Integrator: { Id: 7, Alias: 'watchbrasil_v2', Version: 1 } });
    expect(shapedFor(1)).not.toHaveProperty('Subscriber');
  });
  it('version 2 (MVNO) adds the Subscriber with the cell phone', () => {
    expect(shapedFor(2)).toMatchObject({ Integrator: { Version: 2 }, Subscriber: { Name: 'Maria Silva', CellPhone: '(11)99999-0000' } });
  });
  it('version 4 (STFC) adds the Subscriber with the fixed phone', () => {
    expect(shapedFor(4)).toMatchObject({ Integrator: { Version: 4 }, Subscriber: { Name: 'Maria Silva', Phone: '(11)3333-4444' } });
  });
});

describe('bodies other than service changes', () => {
  const signature = () => {
    const result = mapAt(insert('electronic_signatures', { id: 1100, contract_id: 100, code: '34876', signer_name: ' Teste', email: 'teste@teste.com.br', phone: '(99)9999-9999', url: 'https://x', status: 2 }), world());
    if (!result.ok) throw new Error(result.reason);
    return result.events.find((e) => e.kind === 'standard')!;
  };
  it.each([1, 2, 3, 4])('go out exactly as mapped to a version %i integrator: the signature body is the guide’s', (version) => {
    const view = configured({ trigger_kind: 'standard' }, ACTIVE_BEFORE);
    view.integrators.set(7, { ...view.integrators.get(7)!, version });
    view.triggers.set(1, { id: 1, webhookId: 1, entity: 'electronic_signature', action: 'insert' });
    const event = signature();
    const [routed] = routeIn(view, event);
    expect(routed?.outcome).toBe('deliver');
    expect(routed?.outcome === 'deliver' && routed.delivery.body).toEqual(event.body);
  });
});
