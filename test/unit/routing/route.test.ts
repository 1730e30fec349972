import { describe, expect, it } from 'vitest';
import { resolveWebhooks } from '../../../src/config/webhooks.js';
import { prerequisitesMetAt, type ConfigView } from '../../../src/config/view.js';
import { mapChange } from '../../../src/mapping/map-change.js';
import type { TriggerEvent } from '../../../src/contracts/trigger-event.js';
import { PRESETS, presetForAlias } from '../../../src/presets/presets.js';
import { clientProblems, serviceActive } from '../../../src/presets/rules.js';
import { deliveryKey, webhookOfDeliveryKey } from '../../../src/contracts/delivery.js';
import { route } from '../../../src/routing/route.js';
import { apply, configured } from '../../support/config-fixtures.js';
import { COMMITTED_AT, CONTRACT_ROW, insert, update, world } from '../../support/mapping-fixtures.js';

const NOW = Date.parse('2026-11-29T12:00:05Z');
const ACTIVE_BEFORE = COMMITTED_AT - 60_000;

/** A service added to contract 100 for integrator 7 (the fixture's Watch Brasil). */
function serviceEvent(enrichment = world()): TriggerEvent {
  const result = mapChange(insert('contract_services', { id: 301, contract_id: 100, service_product_id: 200, created_at: null }), enrichment);
  if (!result.ok) throw new Error(result.reason);
  return result.events[0]!;
}

const routeIn = (view: ConfigView, event: TriggerEvent) => route(event, resolveWebhooks(view), (t) => prerequisitesMetAt(view, t), NOW);

describe('routing', () => {
  it('routes a service change to the active webhook of the same integrator', () => {
    const [routed] = routeIn(configured({}, ACTIVE_BEFORE), serviceEvent());
    expect(routed?.outcome).toBe('deliver');
    if (routed?.outcome !== 'deliver') return;
    expect(routed.delivery).toMatchObject({ webhookId: 1, integratorId: 7, contractId: 100, aggregateKey: 'contract:100', method: 'POST', url: 'https://apiweb.watch.tv.br/api/voalle/contrato', routedAt: NOW });
    expect(routed.delivery.deliveryId).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(routed.delivery)).not.toContain('s3cr3t');
  });

  it('does not route to a webhook of another integrator', () => {
    const view = configured({ integrator_id: 8 }, ACTIVE_BEFORE);
    apply(view, 'integrators', 'c', { id: 8, alias: 'skeelo', version: 3, active: true });
    expect(routeIn(view, serviceEvent())).toEqual([]);
  });

  it('routes nothing while the ERP prerequisites are off', () => {
    const view = configured({}, ACTIVE_BEFORE);
    apply(view, 'erp_parameters', 'u', { key: 'use_webhooks', value: 'false' });
    expect(routeIn(view, serviceEvent())).toEqual([]);
  });

  it("judges the prerequisites at the change's commit time, not at routing time", () => {
    const view = configured({}, ACTIVE_BEFORE);
    apply(view, 'erp_parameters', 'u', { key: 'use_streaming', value: 'false' }, COMMITTED_AT - 1000);
    apply(view, 'erp_parameters', 'u', { key: 'use_streaming', value: 'true' }, COMMITTED_AT + 1000);
    expect(routeIn(view, serviceEvent())).toEqual([]);
    const later = { ...serviceEvent(), source: { ...serviceEvent().source, committedAt: COMMITTED_AT + 2000 } };
    expect(routeIn(view, later)).toHaveLength(1);
  });

  it('does not send changes committed before the webhook became active', () => {
    expect(routeIn(configured({}, COMMITTED_AT + 1), serviceEvent())).toEqual([]);
    expect(routeIn(configured({}, COMMITTED_AT - 1), serviceEvent())).toHaveLength(1);
  });

  it('reads the webhook back from a delivery key', () => {
    expect(webhookOfDeliveryKey(deliveryKey({ webhookId: 42, aggregateKey: 'contract:7' }))).toBe(42);
    expect(webhookOfDeliveryKey('contract:7')).toBe(-1);
    expect(webhookOfDeliveryKey('|contract:7')).toBe(-1);
    expect(webhookOfDeliveryKey('x|contract:7')).toBe(-1);
  });

  it('orders changes of the same millisecond by their WAL position', () => {
    const view = configured({}, COMMITTED_AT);
    const activatedAt = view.webhooks.get(1)!.activeSinceLsn!;
    const at = (lsn: number) => ({ ...serviceEvent(), source: { ...serviceEvent().source, committedAt: COMMITTED_AT, lsn } });
    expect(routeIn(view, at(activatedAt - 8))).toEqual([]);
    expect(routeIn(view, at(activatedAt + 8))).toHaveLength(1);

    // "Utiliza Streaming" off, a contract change, on again: all in one millisecond.
    apply(view, 'erp_parameters', 'u', { key: 'use_streaming', value: 'false' }, COMMITTED_AT + 5);
    const offAt = view.prerequisiteChanges.at(-1)!.lsn!;
    apply(view, 'erp_parameters', 'u', { key: 'use_streaming', value: 'true' }, COMMITTED_AT + 5);
    const onAt = view.prerequisiteChanges.at(-1)!.lsn!;
    const between = { ...serviceEvent(), source: { ...serviceEvent().source, committedAt: COMMITTED_AT + 5, lsn: offAt + 4 } };
    expect(onAt).toBeGreaterThan(offAt + 4);
    expect(routeIn(view, between)).toEqual([]);
    expect(routeIn(view, { ...between, source: { ...between.source, lsn: onAt + 4 } })).toHaveLength(1);
  });

  it('does not route to disabled or invalid webhooks', () => {
    expect(routeIn(configured({ active: false }, ACTIVE_BEFORE), serviceEvent())).toEqual([]);
    expect(routeIn(configured({ url: 'ftp://x' }, ACTIVE_BEFORE), serviceEvent())).toEqual([]);
  });

  it('matches standard webhooks on (entity, action) rows', () => {
    const view = configured({ trigger_kind: 'standard', integrator_id: 7 }, ACTIVE_BEFORE);
    apply(view, 'webhook_triggers', 'c', { id: 1, webhook_id: 1, entity: 'contracts', action: 'update' });
    const result = mapChange(update('contracts', CONTRACT_ROW, { billing_period: 20 }), world());
    const [standard, contractChange] = result.ok ? result.events : [];
    expect(routeIn(view, standard!)).toHaveLength(1);
    expect(routeIn(view, contractChange!)).toEqual([]);
    const inserted = mapChange(insert('contracts', CONTRACT_ROW), world());
    expect(routeIn(view, (inserted.ok ? inserted.events : [])[0]!)).toEqual([]);
  });

  it('rejects, without a request, a client missing what the partner requires', () => {
    const enrichment = world();
    (enrichment.people as Map<number, unknown>).set(10, { id: 10, name: 'Sem Celular', txId: null, email: 'x@example.com', phone: null, cellPhone: null });
    const [routed] = routeIn(configured({}, ACTIVE_BEFORE), serviceEvent(enrichment));
    expect(routed).toMatchObject({ outcome: 'rejected', reasons: ['cliente sem celular'] });
  });

  it('flags each service Active by the partner rule (Watch Brasil: Aprovado and Normal, Demonstração or Cortesia)', () => {
    const statusOf = (status: string) => {
      const result = mapChange(update('contracts', CONTRACT_ROW, { status }), world());
      const event = (result.ok ? result.events : []).find((e) => e.kind === 'contract_service_change')!;
      const [routed] = routeIn(configured({}, ACTIVE_BEFORE), event);
      return routed?.outcome === 'deliver' ? (routed.delivery.body.Contract as { Services: { Active: boolean }[] }).Services.map((s) => s.Active) : undefined;
    };
    expect(statusOf('courtesy')).toEqual([true]);
    expect(statusOf('demonstration')).toEqual([true]);
    expect(statusOf('suspended')).toEqual([false]);
  });
});

describe('partner rules', () => {
  const preset = (id: string) => PRESETS.find((p) => p.id === id)!;

  it('has the 12 partners of the source document', () => {
    expect(PRESETS.map((p) => p.partner)).toEqual([
      'Campsoft', 'Cariap', 'DIRECTV GO', 'Exa', 'ITTV', 'Mobiaccess', 'Interservice', 'NxTv', 'QR Sorteios', 'Skeelo', 'Super Conhecimento', 'Watch Brasil',
    ]);
    expect(presetForAlias('WATCHBRASIL_V2')?.id).toBe('watch-brasil');
  });

  it('checks required client fields and their validity', () => {
    const ok = { email: 'maria@example.com', phone: '(11)3333-4444', cellPhone: '(11)99999-0000' };
    expect(clientProblems(preset('exa'), ok)).toEqual([]);
    expect(clientProblems(preset('exa'), { ...ok, email: 'maria@' })).toEqual(['e-mail inválido: maria@']);
    expect(clientProblems(preset('interservice'), { ...ok, cellPhone: null })).toEqual(['cliente sem celular']);
    expect(clientProblems(preset('cariap'), { email: null, phone: '12', cellPhone: null })).toEqual(['cliente sem e-mail', 'telefone inválido: 12']);
    expect(clientProblems(preset('campsoft'), { email: null, phone: null, cellPhone: null })).toEqual([]);
  });

  const contract = (stage: string, status: string) => ({ stage, status });
  it.each([
    ['watch-brasil', 'approved', 'normal', true],
    ['watch-brasil', 'approved', 'demonstration', true],
    ['watch-brasil', 'approved', 'courtesy', true],
    ['watch-brasil', 'in_approval', 'normal', false],
    ['interservice', 'approved', 'courtesy', false],
    ['interservice', 'approved', 'normal', true],
    ['nxtv', 'approved', 'suspended', false],
    ['mobiaccess', 'approved', 'normal', true],
    ['skeelo', 'approved', 'suspended', true],
    ['skeelo', 'cancelled', 'cancelled', false],
  ] as const)('%s: stage %s, status %s → active %s', (id, stage, status, expected) => {
    expect(serviceActive(preset(id).activation, contract(stage, status), { integrationCode: 'X' }, [{ integrationCode: 'X' }])).toBe(expected);
  });

  it('DIRECTV GO: other packages are active only with the basic package on the contract', () => {
    const rule = preset('directv-go').activation;
    const basic = { integrationCode: 'urn:tve:dtvgobr' };
    const hbo = { integrationCode: 'urn:tve:hbo' };
    expect(serviceActive(rule, contract('approved', 'normal'), hbo, [hbo])).toBe(false);
    expect(serviceActive(rule, contract('approved', 'normal'), hbo, [basic, hbo])).toBe(true);
    expect(serviceActive(rule, contract('approved', 'normal'), basic, [basic])).toBe(true);
  });
});

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
