// The 12 partner presets end to end: `webhooks add` writes the ERP rows, a
// service is added to a contract with SQL, Debezium → mapper → routing produce
// the delivery, and the sender delivers it to a local partner simulator, which
// sees the preset's method, path, headers and the body shaped for its version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWebhook } from '../../src/config/erp-writer.js';
import { resolveWebhook } from '../../src/config/webhooks.js';
import { buildRequest, EVENT_ID_HEADER } from '../../src/delivery/request.js';
import { Sender } from '../../src/stages/delivery/sender.js';
import { DIRECTV_BASIC_PACKAGE, PRESETS, type Preset } from '../../src/presets/presets.js';
import type { Delivery } from '../../src/contracts/delivery.js';
import type { TopicReader} from '../support/harness.js';
import { erpPool, seedParty, settings, testWebhookName, unique } from '../support/harness.js';
import { PartnerSimulator } from '../support/partner-simulator.js';
import { deliveryReader, one, startPipeline, type Pipeline } from '../support/pipeline.js';

const pool = erpPool();
const simulator = new PartnerSimulator();
const sender = new Sender({ connectTimeoutMs: 2000, responseTimeoutMs: 5000, attemptDeadlineMs: 10_000, allowHosts: ['127.0.0.1'], httpsOnly: false });
let base = '';
let pipeline: Pipeline;
let deliveries: TopicReader<Delivery>;

beforeAll(async () => {
  base = await simulator.start();
  pipeline = await startPipeline(pool);
  deliveries = deliveryReader(pipeline.kafka, pipeline.registry, pipeline.topics);
  await deliveries.start();
});

afterAll(async () => {
  await Promise.all([deliveries.stop(), simulator.stop(), sender.close()]);
  await pipeline?.stop();
  await pool.end();
});

const pathFor = (p: Preset) => (p.url ? new URL(p.url).pathname : `/${p.id}/webhook`);

interface ServiceBody {
  IntegrationCode: string;
  Active: boolean;
}
interface Shaped {
  CompanyId: number;
  CompanyTxId: string;
  ActionType: number;
  Integrator?: { Alias: string; Version: number };
  Subscriber?: Record<string, unknown>;
  Contract: { Id: number; Stage: { Code: string }; Status: { Code: string }; Services: ServiceBody[]; Client: { Email: string } };
  ServiceChange: { Added: ServiceBody[]; Removed: ServiceBody[] };
}

describe('partner presets end to end', () => {
  it.each(PRESETS.map((p) => [p.id, p] as const))('%s', async (_id, preset) => {
    const token = unique('tok');
    const { webhookId, integratorId } = await addWebhook(settings.erpAdminDatabaseUrl, {
      preset,
      name: testWebhookName(preset.id),
      token,
      emails: 'ops@example.com;noc@example.com',
      url: `${base}${pathFor(preset)}`,
      ...(preset.alias ? {} : { alias: `${preset.id}-partner` }),
      ...(preset.id === 'directv-go' ? { idp: 'idp-provedor' } : {}),
    });
    const codes = preset.id === 'directv-go' ? [DIRECTV_BASIC_PACKAGE, 'urn:tve:hbo'] : [`${preset.id}-1`];
    const products = [];
    for (const code of codes) {
      products.push(one((await pool.query<{ id: string }>('INSERT INTO service_products (title, uses_streaming, integrator_id, integration_code) VALUES ($1, true, $2, $3) RETURNING id', [code, integratorId, code])).rows));
    }
    const { companyId, clientId } = await seedParty(pool);
    const contractId = one((await pool.query<{ id: string }>("INSERT INTO contracts (company_id, client_id, contract_number, stage, status) VALUES ($1, $2, $3, 'approved', 'normal') RETURNING id", [companyId, clientId, unique('C')])).rows);
    for (const product of products) await pool.query('INSERT INTO contract_services (contract_id, service_product_id) VALUES ($1, $2)', [contractId, product]);

    const ours = (d: Delivery) => d.webhookId === webhookId && d.contractId === contractId;
    const routed = await deliveries.waitFor(ours, products.length, 15_000);
    await pipeline.routing.live.sync();
    const webhook = resolveWebhook(pipeline.routing.live.view, webhookId)!;
    expect(webhook.active).toBe(true);
    for (const delivery of routed) {
      const { outcome } = await sender.send(buildRequest(delivery, webhook));
      expect(outcome.kind).toBe('success');
    }

    const received = simulator.requests.filter((r) => (r.json as Shaped | null)?.Contract?.Id === contractId);
    expect(received).toHaveLength(products.length);
    // Service rows travel on their own partitions: find the request for the last service added.
    const lastCode = codes[codes.length - 1]!;
    const last = received.find((r) => (r.json as Shaped).ServiceChange.Added[0]?.IntegrationCode === lastCode)!;
    expect(last.method).toBe(preset.method ?? 'POST');
    expect(last.path).toBe(pathFor(preset));
    expect(last.headers['content-type']).toBe('application/json');
    expect(routed.map((d) => d.eventId)).toContain(last.headers[EVENT_ID_HEADER]);
    for (const h of preset.headers) {
      expect(last.headers[h.name.toLowerCase()]).toBe(h.value.replace('{token}', token).replace('{idp}', 'idp-provedor'));
    }

    const body = last.json as Shaped;
    expect(body).toMatchObject({ CompanyId: companyId, CompanyTxId: '12.123.123/0001-14', ActionType: 0 });
    expect(body.Contract).toMatchObject({ Id: contractId, Stage: { Code: 'approved' }, Status: { Code: 'normal' }, Client: { Email: 'cliente@example.com' } });
    expect(body.ServiceChange.Added.map((s) => s.IntegrationCode)).toEqual([lastCode]);
    for (const s of [...body.Contract.Services, ...body.ServiceChange.Added]) expect(s.Active).toBe(true);
    if (preset.version === 3) expect(body).not.toHaveProperty('Integrator');
    else expect(body.Integrator).toMatchObject({ Alias: preset.alias ?? `${preset.id}-partner`, Version: preset.version });
    if (preset.version === 2) expect(body.Subscriber).toMatchObject({ CellPhone: '(11)99999-0000', Email: 'cliente@example.com' });
    if (preset.id === 'directv-go') {
      // HBO went out active because the basic package is on the same contract; the basic package too.
      const basic = received.find((r) => (r.json as Shaped).ServiceChange.Added[0]?.IntegrationCode === DIRECTV_BASIC_PACKAGE)!;
      expect((basic.json as Shaped).ServiceChange.Added).toEqual([expect.objectContaining({ IntegrationCode: DIRECTV_BASIC_PACKAGE, Active: true })]);
    }
  });

  it('DIRECTV GO: a package without the basic one on the contract goes out inactive', async () => {
    const preset = PRESETS.find((p) => p.id === 'directv-go')!;
    const { webhookId, integratorId } = await addWebhook(settings.erpAdminDatabaseUrl, { preset, name: testWebhookName('directv-alone'), token: 'k', idp: 'i', emails: 'ops@example.com', url: `${base}/directv-alone` });
    const hbo = one((await pool.query<{ id: string }>("INSERT INTO service_products (title, uses_streaming, integrator_id, integration_code) VALUES ('HBO', true, $1, 'urn:tve:hbo') RETURNING id", [integratorId])).rows);
    const { companyId, clientId } = await seedParty(pool);
    const contractId = one((await pool.query<{ id: string }>("INSERT INTO contracts (company_id, client_id, contract_number, stage, status) VALUES ($1, $2, $3, 'approved', 'normal') RETURNING id", [companyId, clientId, unique('C')])).rows);
    await pool.query('INSERT INTO contract_services (contract_id, service_product_id) VALUES ($1, $2)', [contractId, hbo]);
    const [delivery] = await deliveries.waitFor((d) => d.webhookId === webhookId && d.contractId === contractId, 1, 15_000);
    const body = delivery!.body as unknown as Shaped;
    expect(body.ServiceChange.Added).toEqual([expect.objectContaining({ IntegrationCode: 'urn:tve:hbo', Active: false })]);
  });
});
