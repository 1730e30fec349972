// Secrets never leave the ERP except in the request to the partner. A whole
// integration, in a namespace of the test's own, with a webhook whose URL
// carries `?token=…`, a header and a parameter holding tokens, an integrator
// token, a partner that fails twice then succeeds, and a webhook that ends
// dead-lettered with an alert e-mail. Then everything the integration wrote is
// scanned for every token: the namespace's Kafka topics, the change log's
// records since the test began, the Reativa processes' logs, the e-mails to
// the test's address and the attempt log. None holds one; the partner got
// them all (so they were used), including a header value changed mid-test,
// which the live configuration read again from the ERP.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDigest } from '../../src/alerts/digest.js';
import { createMailTransport } from '../../src/alerts/mailer.js';
import { decodeChange } from '../../src/capture/envelope.js';
import { LiveConfig } from '../../src/config/live.js';
import { FixedSecrets, type SecretSource } from '../../src/config/secrets.js';
import { configChangeRecord } from '../../src/contracts/config-change.js';
import { RetryableError } from '../../src/errors/retryable-error.js';
import { createProducer } from '../../src/kafka/client.js';
import { commitGroupOffsets } from '../../src/kafka/groups.js';
import { readTopic } from '../../src/kafka/read-topic.js';
import { reativaTopicSpecs, retryTopicSpecs } from '../../src/kafka/topics.js';
import { createLogger } from '../../src/log.js';
import { startDelivery, type RunningDelivery } from '../../src/stages/delivery/runner.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestTopic, erpPool, seedParty, settings, testKafka, testWebhookName, type TopicReader, unique } from '../support/harness.js';
import { mailsTo } from '../support/mailbox.js';
import { PartnerSimulator, type ReceivedRequest } from '../support/partner-simulator.js';
import { changeLog, jsonReader, one, startPipeline, testDeliveryOptions, TEST_RETRY_STEPS, type Pipeline } from '../support/pipeline.js';

const pool = erpPool();
const reativaPool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 2 });
const partner = new PartnerSimulator();

// The Reativa processes' logs, captured: every line of the pipeline, delivery and the e-mail digest.
const logLines: string[] = [];
const logger = createLogger('debug', 'reativa', new Writable({ write: (chunk: Buffer, _encoding, done) => void (logLines.push(chunk.toString('utf8')), done()) }));
const transport = createMailTransport(settings.smtpUrl, 5000);
const digest = new AlertDigest(transport, 'Reativa <reativa@example.com>', 1000, logger);

const token = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;
const SECRETS = {
  query: token('query'),
  header: token('header'),
  rotatedHeader: token('rotated'),
  parameter: token('param'),
  integrator: token('integrator'),
  deadQuery: token('deadquery'),
  deadHeader: token('deadheader'),
};

let base = '';
let pipeline: Pipeline;
let pipelineStopped = false;
let delivery: RunningDelivery | undefined;
let dlq: TopicReader<Record<string, unknown>>;
let changeLogStart = '0';

beforeAll(async () => {
  base = await partner.start();
  // Where the change log stood before the test wrote anything: its records from here on are scanned.
  const admin = testKafka().admin();
  await admin.connect();
  changeLogStart = (await admin.fetchTopicOffsets(changeLog())).find((p) => p.partition === 0)!.high;
  await admin.disconnect();
  pipeline = await startPipeline(pool, { logger });
  delivery = await startDelivery(pipeline.kafka, pipeline.registry, reativaPool, pipeline.routing.live, digest, logger, testDeliveryOptions(pipeline, { delaysMs: [300, 600, 900], minRetryAfterMs: 100 }));
  dlq = jsonReader<Record<string, unknown>>(pipeline.kafka, pipeline.topics.deliveriesDlq);
  await dlq.start();
}, 120_000);

afterAll(async () => {
  await delivery?.stop();
  await dlq?.stop();
  if (!pipelineStopped) await pipeline?.stop();
  await partner.stop();
  await digest.close();
  transport.close();
  await Promise.all([pool.end(), reativaPool.end()]);
});

const insertId = async (sql: string, values: unknown[]) => one((await pool.query<{ id: string }>(`${sql} RETURNING id`, values)).rows);

/** Every record of `topic` from `from` (partition 0) to its end now, as text: key, value and headers. */
async function changeLogText(kafka: Kafka, topic: string, from: string): Promise<{ text: string[]; records: { key: string; value: string | null }[] }> {
  const admin = kafka.admin();
  await admin.connect();
  const end = BigInt((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === 0)!.high);
  await admin.disconnect();
  const groupId = unique('test-secrets-scan');
  await commitGroupOffsets(kafka, groupId, [{ topic, partition: 0, offset: from }]);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  const records: { key: string; value: string | null }[] = [];
  let next = BigInt(from);
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (BigInt(message.offset) >= end) return;
        records.push({ key: message.key?.toString('utf8') ?? '', value: message.value?.toString('utf8') ?? null });
        next = BigInt(message.offset) + 1n;
      },
    });
    await waitFor(`${topic} read to offset ${end}`, async () => next >= end, { timeoutMs: 60_000, intervalMs: 100 });
  } finally {
    await consumer.disconnect();
  }
  return { text: records.map((r) => `${r.key}\n${r.value ?? ''}`), records };
}

/** Every record of every topic of the test's namespace, as text (key, value, headers). */
async function namespaceText(): Promise<Map<string, string[]>> {
  const topics = [...reativaTopicSpecs(pipeline.topics), ...retryTopicSpecs(pipeline.topics, TEST_RETRY_STEPS)].map((s) => s.topic);
  const out = new Map<string, string[]>();
  for (const topic of topics) {
    const records = await readTopic(pipeline.kafka, topic);
    out.set(
      topic,
      records.map(({ message }) =>
        [message.key?.toString('utf8') ?? '', message.value?.toString('utf8') ?? '', ...Object.entries(message.headers ?? {}).map(([k, v]) => `${k}=${String(v)}`)].join('\n'),
      ),
    );
  }
  return out;
}

describe('secrets', () => {
  it('reach the partner, and nothing Reativa writes: Kafka, the change log, logs, e-mails, the attempt log', async () => {
    const mailbox = `${unique('secrets')}@example.com`;
    const integratorId = await insertId("INSERT INTO integrators (alias, version, token, active) VALUES ($1, 3, $2, true)", [unique('int-secrets'), SECRETS.integrator]);

    // The partner that fails twice, then answers.
    const okPath = `/${unique('hook-ok')}`;
    const okId = await insertId(
      "INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ($1, $2, 'POST', $3, 5, $4, 'standard', true)",
      [testWebhookName('secrets-ok'), integratorId, `${base}${okPath}?token=${SECRETS.query}`, `${unique('ops')}@example.com`],
    );
    const okHeader = await insertId("INSERT INTO webhook_headers (webhook_id, name, value) VALUES ($1, 'X-Api-Key', $2)", [okId, SECRETS.header]);
    await pool.query("INSERT INTO webhook_parameters (webhook_id, name, value) VALUES ($1, 'client_secret', $2)", [okId, SECRETS.parameter]);
    await pool.query("INSERT INTO webhook_triggers (webhook_id, entity, action) VALUES ($1, 'contracts', 'update')", [okId]);

    // The partner that never answers well: two attempts, a dead letter, an e-mail to the test's own address.
    const deadPath = `/${unique('hook-dead')}`;
    const deadId = await insertId(
      "INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ($1, $2, 'POST', $3, 2, $4, 'standard', true)",
      [testWebhookName('secrets-dead'), integratorId, `${base}${deadPath}?token=${SECRETS.deadQuery}`, mailbox],
    );
    await pool.query("INSERT INTO webhook_headers (webhook_id, name, value) VALUES ($1, 'Authorization', $2)", [deadId, `Bearer ${SECRETS.deadHeader}`]);
    await pool.query("INSERT INTO webhook_triggers (webhook_id, entity, action) VALUES ($1, 'contracts', 'update')", [deadId]);

    const failures = [503, 503];
    partner.script(okPath, () => failures.shift() ?? 200);
    partner.script(deadPath, () => 500);
    const live = pipeline.routing.live;
    // A new namespace's mapper first catches its state store up with the change log: allow for it.
    await waitFor('both webhooks active, their secrets read from the ERP', async () => live.webhook(okId)?.active && live.webhook(deadId)?.active, { timeoutMs: 60_000 });

    const { companyId, clientId } = await seedParty(pool);
    const contractId = await insertId('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3)', [companyId, clientId, unique('C')]);
    await pool.query('UPDATE contracts SET billing_period = 1 WHERE id = $1', [contractId]);

    const at = (path: string) => partner.requests.filter((r: ReceivedRequest) => r.path === path);
    await waitFor('two failures, then a success', async () => at(okPath).length >= 3, { timeoutMs: 20_000 });
    await dlq.waitFor((d) => d.webhookId === deadId && d.contractId === contractId, 1, 20_000);
    const mail = await waitFor('the alert e-mail', async () => (await mailsTo(mailbox))[0], { timeoutMs: 15_000 });
    expect(mail.text).toContain(`${base}${deadPath}?token=***`);

    // An operator changes the header's value in the ERP: the change log says the row changed (not to what);
    // the live configuration reads the new value from the ERP, and the partner gets it.
    await pool.query('UPDATE webhook_headers SET value = $2 WHERE id = $1', [okHeader, SECRETS.rotatedHeader]);
    await waitFor('the new header value read from the ERP', async () => live.webhook(okId)?.headers.some((h) => h.value === SECRETS.rotatedHeader), { timeoutMs: 15_000 });
    await pool.query('UPDATE contracts SET billing_period = 2 WHERE id = $1', [contractId]);
    await waitFor('the delivery with the new header', async () => at(okPath).length >= 4, { timeoutMs: 20_000 });

    // The secrets were used: every request carried them.
    const ok = at(okPath);
    for (const r of ok.slice(0, 3)) {
      expect(r.headers['x-api-key']).toBe(SECRETS.header);
      expect(r.query.get('token')).toBe(SECRETS.query);
      expect(r.query.get('client_secret')).toBe(SECRETS.parameter);
    }
    expect(ok[3]!.headers['x-api-key']).toBe(SECRETS.rotatedHeader);
    expect(ok[3]!.query.get('token')).toBe(SECRETS.query);
    // Two attempts for the first change; the second change's delivery is under way or dead-lettered too.
    const dead = at(deadPath);
    expect(dead.length).toBeGreaterThanOrEqual(2);
    for (const r of dead) {
      expect(r.headers.authorization).toBe(`Bearer ${SECRETS.deadHeader}`);
      expect(r.query.get('token')).toBe(SECRETS.deadQuery);
    }

    const attempts = await waitFor(
      'the attempt log',
      async () => {
        const { rows } = await reativaPool.query('SELECT * FROM reativa.delivery_attempts WHERE webhook_id = ANY($1::bigint[]) ORDER BY id', [[okId, deadId]]);
        return rows.length >= 6 ? rows : undefined;
      },
      { timeoutMs: 10_000 },
    );

    // Delivery stops here, so everything it had to write is written before the scan.
    await delivery!.stop();
    delivery = undefined;

    const topics = await namespaceText();
    const namespaceRecords = [...topics.values()].flat();
    // What the deliveries carry instead of the URL: its query masked.
    expect(namespaceRecords.some((t) => t.includes(`${okPath}?token=***`))).toBe(true);
    expect(topics.get(pipeline.topics.deliveriesDlq)!.some((t) => t.includes(`"webhookId":${deadId}`))).toBe(true);
    expect(topics.get(pipeline.topics.config)!.some((t) => t.includes(`webhook_headers|{"id":${okHeader}}`))).toBe(true);

    const changes = await changeLogText(pipeline.kafka, changeLog(), changeLogStart);
    // The test's rows are in the change log, each without its secret column.
    const ours = changes.records
      .map((r) => decodeChange(Buffer.from(r.key), r.value === null ? null : Buffer.from(r.value)))
      .flatMap((d) => (d.ok ? [d.change] : []))
      .filter((c) => (c.table === 'webhook_headers' && Number(c.key?.id) === okHeader) || (c.table === 'webhooks' && [okId, deadId].includes(Number(c.key?.id))) || (c.table === 'integrators' && Number(c.key?.id) === integratorId));
    expect(ours.map((c) => `${c.table}:${c.op}`)).toEqual(expect.arrayContaining(['integrators:c', 'webhooks:c', 'webhook_headers:c', 'webhook_headers:u']));
    for (const c of ours) {
      for (const row of [c.before, c.after]) {
        if (!row) continue;
        expect(row).not.toHaveProperty('value');
        expect(row).not.toHaveProperty('token');
        expect(row).not.toHaveProperty('url');
      }
    }

    const mails = JSON.stringify(await mailsTo(mailbox));
    const attemptLog = JSON.stringify(attempts);
    // The pipeline stops too (its stop logs), before its logs are read.
    await pipeline.stop();
    pipelineStopped = true;
    const logs = logLines.join('');
    // The buffer has the processes' logs: the retries and the dead letter were logged there.
    expect(logs).toContain('delivery will be retried');
    expect(logs).toContain('delivery dead-lettered');

    const haystacks: Record<string, string> = {
      'namespace topics': namespaceRecords.join('\n'),
      'change log': changes.text.join('\n'),
      logs,
      'e-mails': mails,
      'attempt log': attemptLog,
    };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [name, secret] of Object.entries(SECRETS)) expect(text.includes(secret), `${name} token found in ${where}`).toBe(false);
    }
  }, 120_000);

  it('keep their last value while the ERP cannot be asked, and are read again once it answers; a process never stops for it', async () => {
    const kafka = testKafka();
    const topic = unique('test-secrets-config');
    const admin = kafka.admin();
    await admin.connect();
    await createTestTopic(admin, topic);
    await admin.disconnect();
    // The ERP as the live view asks it, switched off and on by the test.
    const values = new Map<string, Record<string, string | null>>([['webhooks:1', { url: 'http://127.0.0.1:1/hook?token=v1' }], ['webhook_headers:1', { value: 'first' }], ['integrators:7', { token: 't', url: null }]]);
    const erp = new FixedSecrets(values);
    let down = true;
    let reads = 0;
    const flaky: SecretSource = {
      read: (table, ids) => {
        reads += 1;
        // What node-postgres raises when the server refuses the connection: classified retryable.
        return down ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:54320'), { code: 'ECONNREFUSED' })) : erp.read(table, ids);
      },
      close: () => Promise.resolve(),
    };
    const change = (table: string, op: 'c' | 'u', row: Record<string, unknown>) =>
      configChangeRecord({ op, schema: 'public', table, before: op === 'u' ? row : null, after: row, key: { id: row.id ?? null }, committedAt: Date.now(), lsn: null, txId: null, snapshot: false });
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        change('integrators', 'c', { id: 7, alias: unique('int'), version: 3, active: true }),
        change('webhooks', 'c', { id: 1, name: 'Parceiro', integrator_id: 7, http_method: 'POST', max_attempts: 3, alert_emails: null, trigger_kind: 'contract_change', active: true }),
        change('webhook_headers', 'c', { id: 1, webhook_id: 1, name: 'X-Key' }),
      ],
    });
    const live = new LiveConfig(kafka, logger, topic, flaky, { startupSecretsWaitMs: 500 });
    try {
      // The ERP away at start: the process starts anyway; the webhook waits, not invalid.
      await live.start();
      expect(live.webhook(1)).toMatchObject({ active: false, secretsPending: true, problems: [] });
      await expect(live.sync(300)).rejects.toBeInstanceOf(RetryableError);
      // The ERP back: the next retry reads the secrets.
      down = false;
      await waitFor('the secrets read once the ERP answers', async () => live.webhook(1)?.active, { timeoutMs: 10_000 });
      expect(live.webhook(1)).toMatchObject({ url: 'http://127.0.0.1:1/hook?token=v1', headers: [{ name: 'X-Key', value: 'first' }] });

      // Away again while the header changes: the change applies, the value last read stays, and sync does not wait for the ERP.
      down = true;
      values.set('webhook_headers:1', { value: 'second' });
      const before = reads;
      await producer.send({ topic, acks: -1, messages: [change('webhook_headers', 'u', { id: 1, webhook_id: 1, name: 'X-Key' })] });
      await waitFor('a read attempt for the changed row', async () => reads > before, { timeoutMs: 5000 });
      await live.sync(5000);
      expect(live.webhook(1)).toMatchObject({ active: true, headers: [{ name: 'X-Key', value: 'first' }] });
      down = false;
      await waitFor('the new value once the ERP answers again', async () => live.webhook(1)?.headers[0]?.value === 'second', { timeoutMs: 10_000 });
      expect(logLines.join('')).toContain('secrets not readable from the ERP now');
    } finally {
      await producer.disconnect();
      await live.stop();
      const a = kafka.admin();
      await a.connect();
      await a.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await a.disconnect();
    }
  }, 60_000);
});
