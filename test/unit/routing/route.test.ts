import { describe, expect, it } from 'vitest';
import { resolveWebhooks } from '../../../src/config/webhooks.js';
import { prerequisitesMetAt, type ConfigView } from '../../../src/config/view.js';
import type { TriggerEvent } from '../../../src/contracts/trigger-event.js';
import { deliveryKey, webhookOfDeliveryKey } from '../../../src/contracts/delivery.js';
import { route } from '../../../src/routing/route.js';
import { apply, configured, WATCH, webhookRow } from '../../support/config-fixtures.js';
import { COMMITTED_AT, CONTRACT_ROW, insert, update, world, mapAt } from '../../support/mapping-fixtures.js';

const NOW = Date.parse('2026-11-29T12:00:05Z');
const ACTIVE_BEFORE = COMMITTED_AT - 60_000;

/** A service added to contract 100 for integrator 7 (the fixture's Watch Brasil). */
function serviceEvent(state = world()): TriggerEvent {
  const result = mapAt(insert('contract_services', { id: 301, contract_id: 100, service_product_id: 200, created_at: null }), state);
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

  it('writes the webhook URL masked into the delivery: its query values and user info never reach Kafka', () => {
    const [routed] = routeIn(configured({ url: 'https://user:pw@partner.example/hook?token=q-s3cr3t&v=2' }, ACTIVE_BEFORE), serviceEvent());
    if (routed?.outcome !== 'deliver') throw new Error('not routed');
    expect(routed.delivery.url).toBe('https://partner.example/hook?token=***&v=***');
    expect(JSON.stringify(routed.delivery)).not.toMatch(/q-s3cr3t|user:pw/);
    // The real URL stays in the live configuration, for the request.
    expect(routed.webhook.url).toBe('https://user:pw@partner.example/hook?token=q-s3cr3t&v=2');
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
    const result = mapAt(update('contracts', CONTRACT_ROW, { billing_period: 20 }), world());
    const [standard, contractChange] = result.ok ? result.events : [];
    expect(routeIn(view, standard!)).toHaveLength(1);
    expect(routeIn(view, contractChange!)).toEqual([]);
    const inserted = mapAt(insert('contracts', CONTRACT_ROW), world());
    expect(routeIn(view, (inserted.ok ? inserted.events : [])[0]!)).toEqual([]);
  });

  it('rejects, without a request, a client missing what the partner requires', () => {
    const state = world().set('people', { id: 10, name: 'Sem Celular', tx_id: null, email: 'x@example.com', phone: null, cell_phone: null });
    const [routed] = routeIn(configured({}, ACTIVE_BEFORE), serviceEvent(state));
    expect(routed).toMatchObject({
      outcome: 'rejected',
      reasons: ['cliente sem Celular'],
      detail: { clientId: 10, clientName: 'Sem Celular', contractId: 100, fields: ['Celular'] },
    });
  });

  it('sends an event redriven from a refusal to the refusing webhook only, its rules applied again', () => {
    const view = configured({}, ACTIVE_BEFORE);
    // A second webhook of the same integrator: the change reached it already.
    apply(view, 'webhooks', 'c', webhookRow({ id: 2, name: 'Watch (cópia)' }), ACTIVE_BEFORE);
    expect(routeIn(view, serviceEvent()).map((r) => r.webhook.id).sort()).toEqual([1, 2]);
    const redriven = { ...serviceEvent(), eventId: 'redriven', onlyWebhookId: 2 };
    const routed = routeIn(view, redriven);
    expect(routed.map((r) => [r.outcome, r.webhook.id])).toEqual([['deliver', 2]]);
    if (routed[0]?.outcome === 'deliver') expect(routed[0].delivery.eventId).toBe('redriven');
    // The client still lacks what the partner requires: refused again (a new dead letter), for that webhook alone.
    const state = world().set('people', { id: 10, name: 'Sem Celular', tx_id: null, email: 'x@example.com', phone: null, cell_phone: null });
    expect(routeIn(view, { ...serviceEvent(state), onlyWebhookId: 2 }).map((r) => [r.outcome, r.webhook.id])).toEqual([['rejected', 2]]);
    // A webhook gone since: nothing.
    expect(routeIn(view, { ...redriven, onlyWebhookId: 3 })).toEqual([]);
  });

  it("finds a partner's preset by the binding `presets bind` records when the partner gives the alias (Mobiaccess)", () => {
    const suspended = (view: ConfigView) => {
      const result = mapAt(update('contracts', CONTRACT_ROW, { status: 'suspended' }), world());
      const event = (result.ok ? result.events : []).find((e) => e.kind === 'contract_service_change')!;
      const [routed] = routeIn(view, event);
      return routed?.outcome === 'deliver' ? (routed.delivery.body.Contract as { Services: { Active: boolean }[] }).Services.map((s) => s.Active) : undefined;
    };
    const unbound = configured({}, ACTIVE_BEFORE);
    apply(unbound, 'integrators', 'u', { ...WATCH, alias: 'provedor-mobi' });
    // No preset: the default rule (active unless cancelled).
    expect(suspended(unbound)).toEqual([true]);
    const bound = configured({}, ACTIVE_BEFORE);
    apply(bound, 'integrators', 'u', { ...WATCH, alias: 'provedor-mobi' });
    apply(bound, 'integrator_presets', 'c', { id: 1, integrator_alias: 'provedor-mobi', preset: 'mobiaccess' });
    // Mobiaccess: active only when Aprovado and Normal.
    expect(suspended(bound)).toEqual([false]);
  });

  it('refuses, with the product named, a DIRECTV GO service whose product is not marked "Utiliza Streaming"', () => {
    const view = configured({}, ACTIVE_BEFORE);
    apply(view, 'integrators', 'u', { ...WATCH, alias: 'provedor-dtv' });
    apply(view, 'integrator_presets', 'c', { id: 1, integrator_alias: 'provedor-dtv', preset: 'directv-go' });
    const event = serviceEvent();
    const streaming = (flag: boolean | undefined) => route(event, resolveWebhooks(view), (t) => prerequisitesMetAt(view, t), NOW, () => flag)[0];
    expect(streaming(false)).toMatchObject({ outcome: 'rejected', reasons: [expect.stringMatching(/^Produto\/Serviço ".*" \(código 200\) sem "Utiliza Streaming" = Sim$/)] });
    expect(streaming(true)?.outcome).toBe('deliver');
  });

  it('DIRECTV GO: a package is active when the basic package is on the contract under another integrator (the passive integration)', () => {
    const view = configured({}, ACTIVE_BEFORE);
    apply(view, 'integrators', 'u', { ...WATCH, alias: 'provedor-dtv' });
    apply(view, 'integrator_presets', 'c', { id: 1, integrator_alias: 'provedor-dtv', preset: 'directv-go' });
    const event = serviceEvent();
    const activeWith = (codes: readonly string[]) => {
      const [routed] = route({ ...event, contractServiceCodes: codes }, resolveWebhooks(view), (t) => prerequisitesMetAt(view, t), NOW, () => true);
      return routed?.outcome === 'deliver' ? (routed.delivery.body.ServiceChange as { Added: { Active: boolean }[] }).Added.map((s) => s.Active) : undefined;
    };
    expect(activeWith(['urn:tve:hbo', 'urn:tve:dtvgobr'])).toEqual([true]);
    expect(activeWith(['urn:tve:hbo'])).toEqual([false]);
  });

  it('flags each service Active by the partner rule (Watch Brasil: Aprovado and Normal, Demonstração or Cortesia)', () => {
    const statusOf = (status: string) => {
      const result = mapAt(update('contracts', CONTRACT_ROW, { status }), world());
      const event = (result.ok ? result.events : []).find((e) => e.kind === 'contract_service_change')!;
      const [routed] = routeIn(configured({}, ACTIVE_BEFORE), event);
      return routed?.outcome === 'deliver' ? (routed.delivery.body.Contract as { Services: { Active: boolean }[] }).Services.map((s) => s.Active) : undefined;
    };
    expect(statusOf('courtesy')).toEqual([true]);
    expect(statusOf('demonstration')).toEqual([true]);
    expect(statusOf('suspended')).toEqual([false]);
  });
});
