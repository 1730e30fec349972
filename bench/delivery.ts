// npm run bench:delivery [-- --deliveries N --concurrency C]
// Drains N deliveries from a pre-filled topic to a local receiver (a separate
// process) twice, in the same run: with Reativa's delivery consumer, and with a
// baseline that only does kafkajs consume + undici POST at the same
// concurrency. Reports deliveries/s and latency percentiles side by side and
// writes them to docs/benchmarks.md.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { Partitioners } from 'kafkajs';
import pg from 'pg';
import { Agent, request } from 'undici';
import { AlertDigest } from '../src/alerts/digest.js';
import { createMailTransport } from '../src/alerts/mailer.js';
import { LiveConfig } from '../src/config/live.js';
import { DEFAULT_SCHEDULE } from '../src/delivery/retry-policy.js';
import { startDelivery } from '../src/delivery/runner.js';
import { createKafka } from '../src/kafka/client.js';
import { sendAll } from '../src/kafka/produce.js';
import { createRegistry, readAvroSchema, registerValueSchema } from '../src/kafka/registry.js';
import { createLogger } from '../src/log.js';
import { projectPath } from '../src/paths.js';
import { deliveryId, deliveryKey, type Delivery } from '../src/routing/route.js';
import { toDeliveryAvro } from '../src/routing/runner.js';
import { loadSettings } from '../src/settings.js';
import { createStack } from '../src/stack/stack.js';
import { waitFor } from '../src/stack/wait.js';
import { recordBenchmark } from './report.js';

const { values } = parseArgs({ options: { deliveries: { type: 'string', default: '100000' }, concurrency: { type: 'string', default: '64' } } });
const N = Number(values.deliveries);
const CONCURRENCY = Number(values.concurrency);
const settings = loadSettings();
const logger = createLogger('warn');

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((sorted.length * p) / 100) - 1)] ?? 0;
const summary = (latencies: number[]) => {
  const s = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
};

async function main() {
  await createStack(settings, (line) => console.log(line)).up();
  const receiver = fork(projectPath('bench', 'receiver.mjs'));
  const [{ port }] = (await once(receiver, 'message')) as [{ port: number }];
  const receiverUrl = `http://127.0.0.1:${port}`;
  const received = async () => Number(await (await fetch(`${receiverUrl}/count`)).text());

  const erp = new pg.Pool({ connectionString: settings.erpDatabaseUrl });
  await erp.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
  const integratorId = Number((await erp.query<{ id: string }>("INSERT INTO integrators (alias, version) VALUES ($1, 3) RETURNING id", [`bench-${Date.now()}`])).rows[0]!.id);
  const webhookId = Number(
    (
      await erp.query<{ id: string }>(
        "INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ('Benchmark', $1, 'POST', $2, 5, 'ops@example.com', 'contract_change', true) RETURNING id",
        [integratorId, `${receiverUrl}/hook`],
      )
    ).rows[0]!.id,
  );

  const kafka = createKafka(settings, logger);
  const registry = createRegistry(settings.schemaRegistryUrl);
  const run = `bench${Date.now()}`;
  const topics = { reativa: `${run}.deliveries.reativa`, baseline: `${run}.deliveries.baseline` };
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })), waitForLeaders: true });
  const schemaId = await registerValueSchema(registry, `${run}.deliveries`, readAvroSchema('delivery'));

  console.log(`pre-filling ${N} deliveries into two topics…`);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const body = { CompanyId: 1, CompanyTxId: '12.123.123/0001-14', ActionType: 1, Contract: { Id: 1, Stage: { Code: 'approved', Label: 'Aprovado' }, Status: { Code: 'normal', Label: 'Normal' } } };
  for (let start = 0; start < N; start += 5000) {
    const messages = [];
    for (let i = start; i < Math.min(N, start + 5000); i++) {
      const eventId = `bench-${run}-${i}`;
      const d: Delivery = {
        deliveryId: deliveryId(eventId, webhookId), eventId, webhookId, integratorId, contractId: i % 2000, aggregateKey: `contract:${i % 2000}`,
        kind: 'contract_change', entity: null, action: 'update', method: 'POST', url: `${receiverUrl}/hook`, committedAt: Date.now(), routedAt: Date.now(), body,
      };
      messages.push({ key: deliveryKey(d), value: await registry.encode(schemaId, toDeliveryAvro(d)) });
    }
    await sendAll(producer, [{ topic: topics.reativa, messages }, { topic: topics.baseline, messages }]);
  }
  await producer.disconnect();

  // --- Reativa's delivery consumer -------------------------------------------------
  const live = new LiveConfig(kafka, logger, settings.topicPrefix);
  await live.start();
  await waitFor('the benchmark webhook in the live view', async () => live.webhooks().some((w) => w.id === webhookId && w.active), { timeoutMs: 30_000 });
  const reativaPool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 8 });
  const transport = createMailTransport(settings.smtpUrl);
  const digest = new AlertDigest(transport, settings.alerts.from, 60_000, logger);
  const base = await received();
  console.log('reativa delivery…');
  const t0 = performance.now();
  const delivery = await startDelivery(kafka, registry, reativaPool, live, digest, logger, {
    groupId: `${run}-delivery`,
    deliveriesTopic: topics.reativa,
    schedule: DEFAULT_SCHEDULE,
    sender: { connectTimeoutMs: 5000, responseTimeoutMs: 15_000 },
    maxInFlightPerWebhook: CONCURRENCY,
    maxPendingPerPartition: 5000,
    attemptLogRetentionDays: 30,
  });
  await waitFor('reativa to deliver everything', async () => delivery.stats.delivered >= N, { timeoutMs: 30 * 60_000, intervalMs: 100 });
  const reativaSeconds = (performance.now() - t0) / 1000;
  const reativaCount = (await received()) - base;
  await delivery.stop();
  await live.stop();
  await digest.close();
  transport.close();

  // --- baseline: consume + POST, same concurrency --------------------------------
  console.log('baseline…');
  const agent = new Agent({ connect: { timeout: 5000 }, headersTimeout: 15_000, bodyTimeout: 15_000, keepAliveTimeout: 30_000, connections: 32 });
  const baselineLatencies: number[] = [];
  let done = 0;
  const consumer = kafka.consumer({ groupId: `${run}-baseline`, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.baseline], fromBeginning: true });
  const t1 = performance.now();
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const perPartition = Math.max(1, Math.floor(CONCURRENCY / 3));
      let next = 0;
      const worker = async () => {
        while (next < batch.messages.length) {
          const message = batch.messages[next++]!;
          const started = performance.now();
          const res = await request(`${receiverUrl}/hook`, { method: 'POST', body: message.value!, headers: { 'content-type': 'application/json' }, dispatcher: agent });
          await res.body.dump();
          baselineLatencies.push(performance.now() - started);
          done += 1;
        }
      };
      await Promise.all(Array.from({ length: perPartition }, worker));
      resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      await heartbeat();
    },
  });
  await waitFor('the baseline to deliver everything', async () => done >= N, { timeoutMs: 30 * 60_000, intervalMs: 100 });
  const baselineSeconds = (performance.now() - t1) / 1000;
  await consumer.disconnect();
  await agent.close();

  const { rows } = await reativaPool.query<{ latency_ms: number }>(
    `SELECT latency_ms FROM reativa.delivery_attempts WHERE webhook_id = $1`,
    [webhookId],
  );
  const reativaLatency = summary(rows.map((r) => r.latency_ms));
  const baselineLatency = summary(baselineLatencies);
  const reativaRate = Math.round(N / reativaSeconds);
  const baselineRate = Math.round(N / baselineSeconds);
  const ratio = reativaRate / baselineRate;
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
  await erp.query('UPDATE webhooks SET active = false WHERE id = $1', [webhookId]);
  await Promise.all([erp.end(), reativaPool.end()]);
  receiver.kill();

  console.log(`reativa: ${reativaCount} requests, ${reativaRate}/s, p50 ${reativaLatency.p50} ms p99 ${reativaLatency.p99} ms`);
  console.log(`baseline: ${baselineRate}/s, p50 ${baselineLatency.p50.toFixed(1)} ms p99 ${baselineLatency.p99.toFixed(1)} ms`);
  console.log(`ratio ${ratio.toFixed(2)} (target ≥ 0.8)`);
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  recordBenchmark('Delivery', [
    `Command: \`npm run bench:delivery -- --deliveries ${N} --concurrency ${CONCURRENCY}\`, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `Method: ${N.toLocaleString('en')} deliveries (Avro, 2,000 distinct (webhook, contract) keys, one webhook) are written to two topics of 3 partitions. Reativa's delivery consumer (per-key order, parking checks in PostgreSQL, attempt log, offsets committed up to the lowest unfinished delivery) drains one; a baseline that only consumes with kafkajs and POSTs each record with undici drains the other, at the same concurrency (${CONCURRENCY} requests in flight). Both send to the same local receiver, a separate Node.js process answering 200. Latency is the HTTP request's, from send to response.`,
    '',
    '| measure | Reativa delivery | baseline (consume + POST) |',
    '|---|---|---|',
    `| deliveries/s | ${reativaRate.toLocaleString('en')} | ${baselineRate.toLocaleString('en')} |`,
    `| wall time | ${reativaSeconds.toFixed(1)} s | ${baselineSeconds.toFixed(1)} s |`,
    `| latency p50 | ${ms(reativaLatency.p50)} | ${ms(baselineLatency.p50)} |`,
    `| latency p95 | ${ms(reativaLatency.p95)} | ${ms(baselineLatency.p95)} |`,
    `| latency p99 | ${ms(reativaLatency.p99)} | ${ms(baselineLatency.p99)} |`,
    '',
    `**Ratio: ${ratio.toFixed(2)}× the baseline** (target ≥ 0.8×).`,
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
