// The partner rules of the vendor's guide and the operators' e-mails, end to
// end: ERP rows written with SQL (and by `webhooks add` / `presets bind`),
// Debezium → mapper → routing → delivery to a local partner simulator, the
// refusals in the dead-letter topic, and the e-mails in MailDev.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDigest } from '../../src/alerts/digest.js';
import { createMailTransport } from '../../src/alerts/mailer.js';
import { addWebhook, bindPreset, listWebhooks } from '../../src/config/erp-writer.js';
import type { Delivery } from '../../src/contracts/delivery.js';
import { createLogger } from '../../src/log.js';
import { DIRECTV_BASIC_PACKAGE, findPreset } from '../../src/presets/presets.js';
import { startDelivery, type RunningDelivery } from '../../src/stages/delivery/runner.js';
import { readTopic } from '../../src/kafka/read-topic.js';
import { waitFor } from '../../src/util/wait.js';
import { erpPool, seedParty, settings, testWebhookName, unique, type TopicReader } from '../support/harness.js';
import { mailsTo, type StoredMail } from '../support/mailbox.js';
import { PartnerSimulator } from '../support/partner-simulator.js';
import { deliveryReader, jsonReader, one, startPipeline, testDeliveryOptions, type Pipeline } from '../support/pipeline.js';
import { runReativa } from '../support/processes.js';

const pool = erpPool();
const reativaPool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 4 });
const partner = new PartnerSimulator();
const transport = createMailTransport(settings.smtpUrl, 5000);
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
const digest = new AlertDigest(transport, 'Reativa <reativa@example.com>', 1000, logger);
let base = '';
let pipeline: Pipeline;
let delivery: RunningDelivery;
let deliveries: TopicReader<Delivery>;
let dlq: TopicReader<Record<string, unknown>>;

beforeAll(async () => {
  base = await partner.start();
  pipeline = await startPipeline(pool, { notices: digest });
  delivery = await startDelivery(pipeline.kafka, pipeline.registry, reativaPool, pipeline.routing.live, digest, logger, testDeliveryOptions(pipeline, { delaysMs: [300, 600, 900], minRetryAfterMs: 100 }, { breakerThreshold: 2 }));
  deliveries = deliveryReader(pipeline.kafka, pipeline.registry, pipeline.topics);
  dlq = jsonReader<Record<string, unknown>>(pipeline.kafka, pipeline.topics.deliveriesDlq);
  await Promise.all([deliveries.start(), dlq.start()]);
});

afterAll(async () => {
  await delivery?.stop();
  await Promise.all([deliveries?.stop(), dlq?.stop()]);
  await pipeline?.stop();
  await partner.stop();
  await digest.close();
  transport.close();
  await Promise.all([pool.end(), reativaPool.end()]);
});

/** `reativa <args>` in the test's namespace, stdin not a terminal. */
const reativa = (...args: string[]) => runReativa(args, { REATIVA_NAMESPACE: pipeline.topics.namespace });

const preset = (id: string) => findPreset(id)!;
const mailbox = () => `${unique('ops')}@example.com`;

/** The e-mails to `address` until one matches. */
const mailMatching = (address: string, what: string, test: (m: StoredMail) => boolean) =>
  waitFor(what, async () => (await mailsTo(address)).find(test), { timeoutMs: 20_000 });

async function product(integratorId: number, code: string, usesStreaming = true, title = code): Promise<number> {
  return one((await pool.query<{ id: string }>('INSERT INTO service_products (title, uses_streaming, integrator_id, integration_code) VALUES ($1, $2, $3, $4) RETURNING id', [title, usesStreaming, integratorId, code])).rows);
}

async function contract(status = 'normal', client?: { email: string | null; phone: string | null; cellPhone: string | null }): Promise<{ contractId: number; clientId: number }> {
  const { companyId, clientId } = await seedParty(pool);
  if (client) await pool.query('UPDATE people SET email = $2, phone = $3, cell_phone = $4 WHERE id = $1', [clientId, client.email, client.phone, client.cellPhone]);
  const contractId = one((await pool.query<{ id: string }>("INSERT INTO contracts (company_id, client_id, contract_number, stage, status) VALUES ($1, $2, $3, 'approved', $4) RETURNING id", [companyId, clientId, unique('C'), status])).rows);
  return { contractId, clientId };
}

const addService = (contractId: number, productId: number) => pool.query('INSERT INTO contract_services (contract_id, service_product_id) VALUES ($1, $2)', [contractId, productId]);

interface ServiceBody {
  IntegrationCode: string;
  Active: boolean;
}
const added = (d: Delivery) => (d.body as unknown as { ServiceChange: { Added: ServiceBody[] } }).ServiceChange.Added;

describe('partner rules as the guide states them', () => {
  it('Mobiaccess: the alias the partner gives is bound by `webhooks add --preset`, shown by `webhooks list`, and edited by `presets bind`', async () => {
    const alias = unique('mobi');
    const { webhookId, integratorId } = await addWebhook(settings.erpAdminDatabaseUrl, { preset: preset('mobiaccess'), name: testWebhookName('mobiaccess'), token: 't', emails: mailbox(), url: `${base}/mobiaccess`, alias });
    expect((await listWebhooks(settings.erpAdminDatabaseUrl)).find((w) => w.id === webhookId)).toMatchObject({ integrator: alias, preset: 'mobiaccess' });

    const code = await product(integratorId, unique('mobi-svc'));
    const suspended = await contract('suspended');
    await addService(suspended.contractId, code);
    const [first] = await deliveries.waitFor((d) => d.webhookId === webhookId && d.contractId === suspended.contractId, 1, 15_000);
    // Mobiaccess counts a service active only when Aprovado and Normal: a suspended contract's goes out inactive.
    expect(added(first!)).toEqual([expect.objectContaining({ Active: false })]);

    // Bound to another preset (Skeelo: active unless cancelled), the next change follows its rule.
    await expect(bindPreset(settings.erpAdminDatabaseUrl, alias, 'SKEELO')).resolves.toMatchObject({ preset: { id: 'skeelo' }, integratorExists: true });
    expect((await listWebhooks(settings.erpAdminDatabaseUrl)).find((w) => w.id === webhookId)).toMatchObject({ preset: 'skeelo' });
    const later = await contract('suspended');
    // The binding reaches routing through the change log before this service does (commit order).
    await addService(later.contractId, code);
    const [second] = await deliveries.waitFor((d) => d.webhookId === webhookId && d.contractId === later.contractId, 1, 15_000);
    expect(added(second!)).toEqual([expect.objectContaining({ Active: true })]);
  });

  it('DIRECTV GO: a premium package is active when the basic package is on the contract under the passive integration', async () => {
    const { webhookId, integratorId } = await addWebhook(settings.erpAdminDatabaseUrl, {
      preset: preset('directv-go'), name: testWebhookName('directv-passive'), token: 't', idp: 'i', emails: mailbox(), url: `${base}/directv-passive`, alias: unique('dtv'),
    });
    const passive = one((await pool.query<{ id: string }>("INSERT INTO integrators (alias, description, integration_type, version, active) VALUES ($1, 'DIRECTV GO (passiva)', 'passive', 3, true) RETURNING id", [unique('dtv-passiva')])).rows);
    const basic = await product(passive, DIRECTV_BASIC_PACKAGE);
    const hbo = await product(integratorId, 'urn:tve:hbo');
    const { contractId } = await contract();
    await addService(contractId, basic);
    await addService(contractId, hbo);
    const [routed] = await deliveries.waitFor((d) => d.webhookId === webhookId && d.contractId === contractId, 1, 15_000);
    expect(added(routed!)).toEqual([expect.objectContaining({ IntegrationCode: 'urn:tve:hbo', Active: true })]);
    await waitFor('the partner to receive it', async () => partner.requests.find((r) => r.path === '/directv-passive' && (r.json as { Contract?: { Id: number } })?.Contract?.Id === contractId), { timeoutMs: 15_000 });
  });

  it('DIRECTV GO: a product not marked "Utiliza Streaming" is refused with the reason, in the dead letters and by e-mail', async () => {
    const ops = mailbox();
    const { webhookId, integratorId } = await addWebhook(settings.erpAdminDatabaseUrl, {
      preset: preset('directv-go'), name: testWebhookName('directv-streaming'), token: 't', idp: 'i', emails: ops, url: `${base}/directv-streaming`, alias: unique('dtv'),
    });
    const basic = await product(integratorId, DIRECTV_BASIC_PACKAGE, false, 'DirecTV GO Básico');
    const { contractId } = await contract();
    await addService(contractId, basic);
    const [letter] = await dlq.waitFor((l) => l.webhookId === webhookId && l.contractId === contractId, 1, 15_000);
    expect(letter).toMatchObject({ stage: 'partner_rules', reasons: [`Produto/Serviço "DirecTV GO Básico" (código ${basic}) sem "Utiliza Streaming" = Sim`] });
    const mail = await mailMatching(ops, 'the refusal e-mail', (m) => m.text.includes(`Contrato ${contractId}:`));
    expect(mail.subject).toContain('bloqueado pelas regras da integradora');
    expect(mail.text).toContain('sem "Utiliza Streaming" = Sim');
    expect(partner.requests.some((r) => r.path === '/directv-streaming')).toBe(false);

    // The letter kept the delivery: with the product fixed in the ERP, `reativa dlq redrive` sends it.
    await pool.query('UPDATE service_products SET uses_streaming = true WHERE id = $1', [basic]);
    const redrive = await reativa('dlq', 'redrive', '--yes', '--webhook', String(webhookId), '--stage', 'partner_rules');
    expect(redrive.code, redrive.stderr).toBe(0);
    const sent = await waitFor('the redriven delivery at the partner', async () => partner.requests.find((r) => r.path === '/directv-streaming' && (r.json as { Contract?: { Id: number } } | null)?.Contract?.Id === contractId), { timeoutMs: 20_000 });
    expect((sent.json as { ServiceChange: { Added: ServiceBody[] } }).ServiceChange.Added).toEqual([expect.objectContaining({ IntegrationCode: DIRECTV_BASIC_PACKAGE, Active: true })]);
  });

  it('"Número de telefone" takes a cell phone; a client with neither is refused, and the e-mail names the client, the contract and the field', async () => {
    const ops = mailbox();
    const { webhookId, integratorId } = await addWebhook(settings.erpAdminDatabaseUrl, { preset: preset('exa'), name: testWebhookName('exa'), token: 't', emails: ops, url: `${base}/exa-rules`, alias: unique('exa') });
    const code = await product(integratorId, unique('exa-svc'));
    const cellOnly = await contract('normal', { email: 'cliente@example.com', phone: null, cellPhone: '(11)99999-0000' });
    await addService(cellOnly.contractId, code);
    await deliveries.waitFor((d) => d.webhookId === webhookId && d.contractId === cellOnly.contractId, 1, 15_000);

    const none = await contract('normal', { email: 'cliente@example.com', phone: null, cellPhone: null });
    await addService(none.contractId, code);
    const [letter] = await dlq.waitFor((l) => l.webhookId === webhookId && l.contractId === none.contractId, 1, 15_000);
    expect(letter).toMatchObject({ stage: 'partner_rules', reasons: ['cliente sem Telefone nem Celular'] });
    const mail = await mailMatching(ops, 'the refusal e-mail', (m) => m.text.includes(`Contrato ${none.contractId}:`));
    expect(mail.text).toContain(`(código ${none.clientId}), contrato ${none.contractId}: falta Telefone válido no cadastro de pessoas`);
  });

  it("a refusal redriven once the client's phone is fixed in the ERP sends the fixed data, to the refusing webhook alone, under one event id per position", async () => {
    // Two webhooks of one Exa integrator: the change reaches both, and both refuse it.
    const alias = unique('exa');
    const refusing = await addWebhook(settings.erpAdminDatabaseUrl, { preset: preset('exa'), name: testWebhookName('exa-fix'), token: 't', emails: mailbox(), url: `${base}/exa-fix`, alias });
    const other = await addWebhook(settings.erpAdminDatabaseUrl, { preset: preset('exa'), name: testWebhookName('exa-fix-other'), token: 't', emails: mailbox(), url: `${base}/exa-fix-other`, alias });
    expect(other.integratorId).toBe(refusing.integratorId);
    const code = await product(refusing.integratorId, unique('exa-svc'));
    const { contractId, clientId } = await contract('normal', { email: 'cliente@example.com', phone: null, cellPhone: null });
    await addService(contractId, code);
    const letters = await dlq.waitFor((l) => l.contractId === contractId && l.stage === 'partner_rules', 2, 15_000);
    expect(letters.map((l) => l.webhookId).sort()).toEqual([refusing.webhookId, other.webhookId].sort());
    const letter = letters.find((l) => l.webhookId === refusing.webhookId)!;
    // The letter keeps where its change is in the change log.
    expect(letter.changeOffset).toMatch(/^\d+$/);

    // The operator fixes the client in the ERP after the refusal; the redrive is planned once the fix is in the change log.
    const fixed = '(11)3333-4444';
    await pool.query('UPDATE people SET phone = $2 WHERE id = $1', [clientId, fixed]);
    await waitFor('the fixed phone in the state store', async () => pipeline.mapper.store.newestOf('people', clientId)?.row.phone === fixed, { timeoutMs: 15_000 });
    const redrive = await reativa('dlq', 'redrive', '--yes', '--webhook', String(refusing.webhookId), '--stage', 'partner_rules');
    expect(redrive.code, redrive.stderr).toBe(0);
    expect(redrive.stdout).toContain(`1 partner_rules -> ${pipeline.topics.changesRedrive}`);

    const atPartner = (path: string) => partner.requests.filter((r) => r.path === path && (r.json as { Contract?: { Id: number } } | null)?.Contract?.Id === contractId);
    const [sent] = await waitFor('the redriven delivery at the partner', async () => (atPartner('/exa-fix').length > 0 ? atPartner('/exa-fix') : undefined), { timeoutMs: 20_000 });
    // Mapped with the client as the ERP has it now, not as it was at the refusal.
    expect((sent!.json as { Contract: { Client: { Phone: string | null } } }).Contract.Client.Phone).toBe(fixed);
    const [routed] = await deliveries.waitFor((d) => d.webhookId === refusing.webhookId && d.contractId === contractId, 1, 15_000);
    const eventId = sent!.headers['x-reativa-event-id'];
    expect(eventId).toBe(routed!.eventId);
    // A new event (other data), not the refused one; and only for the webhook that refused it.
    expect(eventId).not.toBe(letter.eventId);
    expect(deliveries.matching((d) => d.contractId === contractId && d.webhookId !== refusing.webhookId)).toEqual([]);
    expect(atPartner('/exa-fix-other')).toEqual([]);

    // The redrive record sent again at the same position (a crash, a replay of the redrive topic): the same event id, the same body.
    const records = (await readTopic(pipeline.kafka, pipeline.topics.changesRedrive)).filter((r) => r.message.headers?.['reativa-only-webhook']?.toString() === String(refusing.webhookId));
    expect(records).toHaveLength(1);
    const { message } = records[0]!;
    expect(message.headers?.['reativa-source-offset']?.toString()).toBe(letter.changeOffset);
    const producer = pipeline.kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: pipeline.topics.changesRedrive, messages: [{ key: message.key, value: message.value, headers: message.headers }] });
    } finally {
      await producer.disconnect();
    }
    const twice = await deliveries.waitFor((d) => d.webhookId === refusing.webhookId && d.contractId === contractId, 2, 20_000);
    expect(twice.map((d) => d.eventId)).toEqual([eventId, eventId]);
    expect(twice[1]!.deliveryId).toBe(twice[0]!.deliveryId);
    expect(twice[1]!.body).toEqual(twice[0]!.body);
  });

  it('"celular" takes only a cell phone: a client with a landline alone is refused for Interservice', async () => {
    const ops = mailbox();
    const { webhookId, integratorId } = await addWebhook(settings.erpAdminDatabaseUrl, { preset: preset('interservice'), name: testWebhookName('interservice'), token: 't', emails: ops, url: `${base}/interservice-rules`, alias: unique('inter') });
    const code = await product(integratorId, unique('inter-svc'));
    const landline = await contract('normal', { email: 'cliente@example.com', phone: '(11)3333-4444', cellPhone: null });
    await addService(landline.contractId, code);
    const [letter] = await dlq.waitFor((l) => l.webhookId === webhookId && l.contractId === landline.contractId, 1, 15_000);
    expect(letter).toMatchObject({ stage: 'partner_rules', reasons: ['cliente sem Celular'] });
    const mail = await mailMatching(ops, 'the refusal e-mail', (m) => m.text.includes(`Contrato ${landline.contractId}:`));
    expect(mail.text).toContain(`contrato ${landline.contractId}: falta Celular válido no cadastro de pessoas`);
  });
});

describe('operators hear of everything by e-mail', () => {
  it('a webhook that becomes invalid and valid again; a malformed address skipped and reported, the webhook still active', async () => {
    const ops = mailbox();
    const { webhookId, integratorId } = await addWebhook(settings.erpAdminDatabaseUrl, { preset: preset('skeelo'), name: testWebhookName('verdicts'), token: 't', emails: ops, url: `${base}/verdicts`, alias: unique('skeelo') });
    // The CLI refuses a malformed address; an operator's edit in the ERP screen does not.
    await pool.query('UPDATE webhooks SET alert_emails = $2 WHERE id = $1', [webhookId, `${ops};not-an-email`]);
    const reported = await mailMatching(ops, 'the malformed address report', (m) => m.text.includes('"not-an-email"'));
    expect(reported.subject).toContain('endereço inválido na Lista de E-mails');
    await pipeline.routing.live.sync();
    expect(pipeline.routing.live.webhooks().find((w) => w.id === webhookId)?.active).toBe(true);

    await pool.query('UPDATE integrators SET active = false WHERE id = $1', [integratorId]);
    const invalid = await mailMatching(ops, 'the invalid webhook e-mail', (m) => m.subject.includes('webhook inativo'));
    expect(invalid.text).toContain('está inativo');
    await pool.query('UPDATE integrators SET active = true WHERE id = $1', [integratorId]);
    await mailMatching(ops, 'the valid again e-mail', (m) => m.subject.includes('configuração válida novamente'));
  });

  it('a partner that stops answering (its circuit opens), and one that refuses a delivery (HTTP status and answer)', async () => {
    const down = mailbox();
    const failing = await addWebhook(settings.erpAdminDatabaseUrl, { preset: preset('skeelo'), name: testWebhookName('circuit'), token: 't', emails: down, url: `${base}/circuit`, alias: unique('skeelo') });
    partner.statuses.set('/circuit', 503);
    const code = await product(failing.integratorId, unique('svc'));
    for (let i = 0; i < 2; i++) await addService((await contract()).contractId, code);
    const opened = await mailMatching(down, 'the circuit e-mail', (m) => m.subject.includes('a integradora parou de responder'));
    expect(opened.text).toContain('A integradora parou de responder: 2 falhas seguidas (último erro: HTTP 503)');

    const refusedTo = mailbox();
    const refusing = await addWebhook(settings.erpAdminDatabaseUrl, { preset: preset('skeelo'), name: testWebhookName('refused'), token: 't', emails: refusedTo, url: `${base}/refused`, alias: unique('skeelo') });
    partner.statuses.set('/refused', 422);
    const { contractId } = await contract();
    await addService(contractId, await product(refusing.integratorId, unique('svc')));
    const [letter] = await dlq.waitFor((l) => l.webhookId === refusing.webhookId && l.contractId === contractId, 1, 15_000);
    expect((letter!.attempts as unknown[]).length).toBe(1);
    const mail = await mailMatching(refusedTo, 'the refusal e-mail', (m) => m.text.includes(`Contrato ${contractId}:`));
    expect(mail.subject).toContain('1 envio recusado pela integradora');
    expect(mail.subject).not.toContain('limite de tentativas');
    expect(mail.text).toContain(`- Contrato ${contractId}: recusado pela integradora (HTTP 422): HTTP 422: {"ok":true}`);
  });
});
