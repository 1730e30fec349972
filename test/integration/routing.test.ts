// Routing through the real pipeline: configuration saved in the ERP with SQL
// reaches every process through the change stream, and deliveries follow it
// within seconds; the activation-time rule, validation alerts and partner
// rules hold end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contracts/alert.js';
import type { RecordDeadLetter } from '../../src/contracts/dead-letter.js';
import type { Delivery } from '../../src/contracts/delivery.js';
import { createProducer } from '../../src/kafka/client.js';
import type { TopicReader} from '../support/harness.js';
import { erpPool, seedParty, testWebhookName, unique } from '../support/harness.js';
import { deliveryReader, jsonReader, one, startPipeline, type Pipeline } from '../support/pipeline.js';

const pool = erpPool();
let pipeline: Pipeline;
let deliveries: TopicReader<Delivery>;
let alerts: TopicReader<Alert>;
let dlq: TopicReader<Record<string, unknown>>;

beforeAll(async () => {
  pipeline = await startPipeline(pool);
  deliveries = deliveryReader(pipeline.kafka, pipeline.registry, pipeline.topics);
  alerts = jsonReader<Alert>(pipeline.kafka, pipeline.topics.alerts);
  dlq = jsonReader<Record<string, unknown>>(pipeline.kafka, pipeline.topics.deliveriesDlq);
  await Promise.all([deliveries.start(), alerts.start(), dlq.start()]);
});

afterAll(async () => {
  await Promise.all([deliveries.stop(), alerts.stop(), dlq.stop()]);
  await pipeline?.stop();
  await pool.end();
});

async function integrator(alias = unique('int'), version = 3): Promise<number> {
  return one((await pool.query<{ id: string }>("INSERT INTO integrators (alias, version) VALUES ($1, $2) RETURNING id", [alias, version])).rows);
}

async function standardWebhook(integratorId: number, patch: { url?: string } = {}): Promise<number> {
  const id = one(
    (
      await pool.query<{ id: string }>(
        "INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ($1, $2, 'POST', $3, 5, 'ops@example.com', 'standard', false) RETURNING id",
        [testWebhookName('wh'), integratorId, patch.url ?? 'http://127.0.0.1:9/hook'],
      )
    ).rows,
  );
  await pool.query("INSERT INTO webhook_triggers (webhook_id, entity, action) VALUES ($1, 'contracts', 'insert')", [id]);
  // Saved in two steps like the ERP's form: Informações, then Gatilhos and Ativo.
  await pool.query('UPDATE webhooks SET active = true WHERE id = $1', [id]);
  return id;
}

async function contract(): Promise<number> {
  const { companyId, clientId } = await seedParty(pool);
  return one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('C')])).rows);
}

const deliveryOf = (webhookId: number, contractId: number) => (d: Delivery) => d.webhookId === webhookId && d.contractId === contractId;

describe('routing', () => {
  it('routes to a webhook inserted with SQL within 5 s, and stops within 5 s of disabling it', async () => {
    // Warm up: once the control webhook's delivery is out, mapper and routing have caught up.
    const control = await standardWebhook(await integrator());
    const warmup = await contract();
    await deliveries.waitFor(deliveryOf(control, warmup), 1, 30_000);

    const webhook = await standardWebhook(await integrator());
    const saved = Date.now();
    const first = await contract();
    await deliveries.waitFor(deliveryOf(webhook, first), 1, 5_000);
    expect(Date.now() - saved).toBeLessThan(5_000);

    await pool.query('UPDATE webhooks SET active = false WHERE id = $1', [webhook]);
    const second = await contract();
    // The control webhook, active all along, shows the change was routed.
    await deliveries.waitFor(deliveryOf(control, second), 1, 5_000);
    expect(deliveries.matching(deliveryOf(webhook, second))).toEqual([]);
  });

  it('does not send changes committed before the webhook became active', async () => {
    const control = await standardWebhook(await integrator());
    const before = await contract();
    const webhook = await standardWebhook(await integrator());
    const after = await contract();
    await deliveries.waitFor(deliveryOf(control, before), 1, 10_000);
    await deliveries.waitFor(deliveryOf(control, after), 1, 10_000);
    await deliveries.waitFor(deliveryOf(webhook, after), 1, 10_000);
    expect(deliveries.matching(deliveryOf(webhook, before))).toEqual([]);
  });

  it('routes nothing while "Utiliza Streaming" is off', async () => {
    const control = await standardWebhook(await integrator());
    await pool.query("UPDATE erp_parameters SET value = 'false' WHERE key = 'use_streaming'");
    const whileOff = await contract();
    await pool.query("UPDATE erp_parameters SET value = 'true' WHERE key = 'use_streaming'");
    const afterOn = await contract();
    await deliveries.waitFor(deliveryOf(control, afterOn), 1, 10_000);
    expect(deliveries.matching(deliveryOf(control, whileOff))).toEqual([]);
  });

  it('keeps an invalid webhook inactive and says why on reativa.alerts', async () => {
    const webhook = await standardWebhook(await integrator(), { url: 'ftp://partner.example/hook' });
    const [invalid] = await alerts.waitFor((a) => a.webhookId === webhook && a.type === 'webhook_invalid', 1, 5_000);
    expect(invalid!.message).toMatch(/Url inválida/);
    const c = await contract();
    const control = await standardWebhook(await integrator());
    const later = await contract();
    await deliveries.waitFor(deliveryOf(control, later), 1, 10_000);
    expect(deliveries.matching((d) => d.webhookId === webhook)).toEqual([]);
    expect(c).toBeGreaterThan(0);
  });

  it('refuses, with a dead letter and an alert, a client missing what the partner requires', async () => {
    // The Watch Brasil preset applies to the integrator by its alias.
    const watch = one(
      (await pool.query<{ id: string }>("INSERT INTO integrators (alias, version) VALUES ('watchbrasil_v2', 3) ON CONFLICT (alias) DO UPDATE SET active = true RETURNING id")).rows,
    );
    const product = one((await pool.query<{ id: string }>("INSERT INTO service_products (title, uses_streaming, integrator_id, integration_code) VALUES ('Watch', true, $1, 'W') RETURNING id", [watch])).rows);
    const webhook = one(
      (
        await pool.query<{ id: string }>(
          "INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ($2, $1, 'POST', 'http://127.0.0.1:9/watch', 15, 'ops@example.com', 'contract_service_change', true) RETURNING id",
          [watch, testWebhookName('watch')],
        )
      ).rows,
    );
    const { rows: company } = await pool.query<{ id: string }>("INSERT INTO companies (name, tx_id) VALUES ('ISP', '12.123.123/0001-14') RETURNING id");
    const { rows: client } = await pool.query<{ id: string }>("INSERT INTO people (name, email) VALUES ('Sem Celular', 'sem.celular@example.com') RETURNING id");
    const contractId = one((await pool.query<{ id: string }>("INSERT INTO contracts (company_id, client_id, contract_number, stage) VALUES ($1, $2, $3, 'approved') RETURNING id", [one(company), one(client), unique('C')])).rows);
    await pool.query('INSERT INTO contract_services (contract_id, service_product_id) VALUES ($1, $2)', [contractId, product]);

    const [dead] = await dlq.waitFor((d) => d.webhookId === webhook && d.contractId === contractId, 1, 10_000);
    expect(dead).toMatchObject({ stage: 'partner_rules', reasons: ['cliente sem Celular'] });
    const [alert] = await alerts.waitFor((a) => a.webhookId === webhook && a.type === 'client_data_missing', 1, 5_000);
    expect(alert!.message).toContain('cliente sem Celular');
    expect(deliveries.matching((d) => d.webhookId === webhook)).toEqual([]);
  });

  it('dead-letters, whole, trigger events it cannot read, and routes the next one', async () => {
    const control = await standardWebhook(await integrator());
    const unreadable = jsonReader<RecordDeadLetter>(pipeline.kafka, pipeline.topics.triggersDlq);
    await unreadable.start();
    try {
      const unknownSchema = Buffer.from([0, 0x7f, 0xff, 0xff, 0x00, 2, 4, 6]);
      const notAvro = Buffer.from([0xff, 0xfe, 0x80, 0x01, 0x02, 0x03]);
      const producer = createProducer(pipeline.kafka);
      await producer.connect();
      await producer.send({ topic: pipeline.topics.triggers, messages: [{ key: 'poison-1', value: unknownSchema }, { key: 'poison-2', value: notAvro }, { key: 'poison-3', value: null }] });
      await producer.disconnect();
      const next = await contract();
      await deliveries.waitFor(deliveryOf(control, next), 1, 30_000);
      const letters = await unreadable.waitFor((d) => d.key?.startsWith('poison-') ?? false, 3, 10_000);
      const byKey = new Map(letters.map((d) => [d.key, d]));
      expect(byKey.get('poison-1')).toMatchObject({ stage: 'route', source: { topic: pipeline.topics.triggers }, text: null });
      expect(Buffer.from(byKey.get('poison-1')!.value!, 'base64').equals(unknownSchema)).toBe(true);
      expect(Buffer.from(byKey.get('poison-2')!.value!, 'base64').equals(notAvro)).toBe(true);
      expect(byKey.get('poison-3')).toMatchObject({ value: null, reason: expect.stringContaining('no value') });
    } finally {
      await unreadable.stop();
    }
  });
});
