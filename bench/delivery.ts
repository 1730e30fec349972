// npm run bench:delivery [-- --deliveries N --concurrency C --rounds R]
// Drains N deliveries from a pre-filled topic to a local receiver (a separate
// process), alternately with Reativa's delivery consumer and with a baseline
// that only does kafkajs consume + undici POST at the same concurrency, R
// rounds each, in the same run, over the same records (a fresh consumer group
// per round). Reports deliveries/s, CPU per delivery and latency percentiles
// side by side (medians over the rounds) and writes them to docs/benchmarks.md.
//
// Rounds alternate (R B, B R, R B, …) and the medians are compared because the
// machine's other work (Kafka, PostgreSQL, the receiver, anything else on the
// host) moves a single run by ±20%.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { type Kafka } from 'kafkajs';
import pg from 'pg';
import { Agent, request } from 'undici';
import { AlertDigest } from '../src/alerts/digest.js';
import { createMailTransport } from '../src/alerts/mailer.js';
import { LiveConfig } from '../src/config/live.js';
import { FixedSecrets } from '../src/config/secrets.js';
import { DEFAULT_SCHEDULE } from '../src/delivery/retry-policy.js';
import { startDelivery } from '../src/stages/delivery/runner.js';
import { Semaphore } from '../src/util/semaphore.js';
import { createKafka, createProducer } from '../src/kafka/client.js';
import { sendAll } from '../src/kafka/produce.js';
import { DELIVERY } from '../src/contracts/delivery.js';
import { createRegistry, registeredCodec } from '../src/kafka/registry.js';
import { ensureTopics, reativaTopics, reativaTopicSpecs, retryTopicSpecs } from '../src/kafka/topics.js';
import { configChangeRecord } from '../src/contracts/config-change.js';
import { createLogger } from '../src/log.js';
import { projectPath } from '../src/paths.js';
import { deliveryId } from '../src/routing/route.js';
import { deliveryKey, type Delivery } from '../src/contracts/delivery.js';
import { loadSettings } from '../src/settings.js';
import { createStack } from '../src/stack/stack.js';
import { waitFor } from '../src/util/wait.js';
import { median, percentile } from './common.js';
import { recordBenchmark } from './report.js';
import { runtimeText, tuneRuntime } from '../src/cli/runtime-tuning.js';

const settings = loadSettings();
const { values } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '100000' },
    // Throughput, not partner politeness: Reativa's default is 8 in flight per webhook.
    concurrency: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '5' },
  },
});
const N = Number(values.deliveries);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const PARTITIONS = 3;
const KEYS = 2000;
const logger = createLogger('warn');

interface RoundResult {
  readonly rate: number;
  readonly seconds: number;
  readonly cpuMicrosPerDelivery: number;
  readonly latency: { p50: number; p95: number; p99: number };
}

const summary = (latencies: readonly number[]) => {
  const s = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
};

/**
 * Times one drain, from the consumer's start until the receiver has answered
 * the last delivery (and, for Reativa, its attempt log is written): wall clock
 * and this process's CPU (user + system, every thread). Leaving the group
 * afterwards is not part of it.
 */
async function measure<T>(drain: () => Promise<{ value: T; stop: () => Promise<void> }>): Promise<Omit<RoundResult, 'latency'> & { value: T }> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const { value, stop } = await drain();
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  await stop();
  return { rate: N / seconds, seconds, cpuMicrosPerDelivery: (used.user + used.system) / N, value };
}

async function main() {
  await createStack(settings, (line) => console.log(line)).up();
  const receiver = fork(projectPath('bench', 'receiver.mjs'));
  const [{ port }] = (await once(receiver, 'message')) as [{ port: number }];
  const receiverUrl = `http://127.0.0.1:${port}`;

  const kafka = createKafka(settings, logger);
  const registry = createRegistry(settings.schemaRegistryUrl);
  const run = `bench${Date.now()}`;
  // A namespace of the benchmark's own: its topics, its configuration, its groups.
  const topics = reativaTopics(run);
  const topic = topics.deliveries;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [...reativaTopicSpecs(topics, PARTITIONS), ...retryTopicSpecs(topics, settings.delivery.retryScheduleMs.length, PARTITIONS)]);
  const codec = await registeredCodec(registry, DELIVERY, topic);

  // The webhook, as the mapper would carry it from the change log to the configuration topic.
  const integratorId = 900_000_000 + (Date.now() % 1_000_000);
  const webhookId = integratorId;
  const configChange = (table: string, row: Record<string, unknown>) =>
    configChangeRecord({ op: 'r', schema: 'public', table, before: null, after: row, key: { id: row.id ?? row.key }, committedAt: Date.now(), lsn: null, txId: null, snapshot: true });
  const configProducer = createProducer(kafka);
  await configProducer.connect();
  await configProducer.send({
    topic: topics.config,
    acks: -1,
    messages: [
      configChange('erp_parameters', { key: 'use_webhooks', value: 'true' }),
      configChange('erp_parameters', { key: 'use_streaming', value: 'true' }),
      configChange('integrators', { id: integratorId, alias: `bench-${run}`, description: null, integration_type: 'reactive', version: 3, url: null, token: null, active: true }),
      configChange('webhooks', { id: webhookId, name: 'Benchmark', integrator_id: integratorId, http_method: 'POST', url: `${receiverUrl}/hook`, max_attempts: 5, alert_emails: 'ops@example.com', trigger_kind: 'contract_change', active: true, activated_at: null }),
    ],
  });
  await configProducer.disconnect();

  console.log(`pre-filling ${N} deliveries…`);
  const producer = createProducer(kafka);
  await producer.connect();
  const body = { CompanyId: 1, CompanyTxId: '12.123.123/0001-14', ActionType: 1, Contract: { Id: 1, Stage: { Code: 'approved', Label: 'Aprovado' }, Status: { Code: 'normal', Label: 'Normal' } } };
  for (let start = 0; start < N; start += 5000) {
    const messages = [];
    for (let i = start; i < Math.min(N, start + 5000); i++) {
      const eventId = `bench-${run}-${i}`;
      const d: Delivery = {
        deliveryId: deliveryId(eventId, webhookId), eventId, webhookId, integratorId, contractId: i % KEYS, aggregateKey: `contract:${i % KEYS}`,
        kind: 'contract_change', entity: null, action: 'update', method: 'POST', url: `${receiverUrl}/hook`, committedAt: Date.now(), routedAt: Date.now(), body,
      };
      messages.push({ key: deliveryKey(d), value: codec.encode(d) });
    }
    await sendAll(producer, [{ topic, messages }]);
  }
  await producer.disconnect();

  // The benchmark's webhook is in its configuration topic only, not in the ERP: its URL (a secret column) is given here.
  const secrets = new FixedSecrets(new Map<string, Record<string, string | null>>([[`webhooks:${webhookId}`, { url: `${receiverUrl}/hook` }], [`integrators:${integratorId}`, { url: null, token: null }]]));
  const live = new LiveConfig(kafka, logger, topics.config, secrets);
  await live.start();
  await waitFor('the benchmark webhook in the live view', async () => live.webhook(webhookId)?.active === true, { timeoutMs: 30_000 });
  const reativaPool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 8 });
  const transport = createMailTransport(settings.smtpUrl);
  const digest = new AlertDigest(transport, settings.alerts.from, 60_000, logger);

  // --- Reativa's delivery consumer ---------------------------------------------
  const reativaRound = async (round: number): Promise<RoundResult> => {
    const groupId = `${run}-delivery-${round}`;
    const from = new Date();
    const { value: stats, ...result } = await measure(async () => {
      const delivery = await startDelivery(kafka, registry, reativaPool, live, digest, logger, {
        topics,
        groupId,
        // As `npm start` would run it, from the same settings.
        schedule: { ...DEFAULT_SCHEDULE, delaysMs: settings.delivery.retryScheduleMs },
        sender: { connectTimeoutMs: settings.delivery.connectTimeoutMs, responseTimeoutMs: settings.delivery.responseTimeoutMs, attemptDeadlineMs: settings.delivery.attemptDeadlineMs, allowHosts: settings.delivery.allowHosts, httpsOnly: settings.delivery.httpsOnly },
        maxInFlightPerWebhook: CONCURRENCY,
        maxPending: settings.delivery.maxPending,
        breakerThreshold: settings.delivery.breakerThreshold,
        attemptLogRetentionDays: settings.delivery.attemptLogRetentionDays,
      });
      await waitFor('reativa to deliver everything', async () => delivery.stats.delivered >= N, { timeoutMs: 30 * 60_000, intervalMs: 20 });
      // The attempt log's last rows are Reativa's work for these deliveries: written inside the timed drain, not left to stop().
      await delivery.flushAttemptLog();
      return { value: delivery.stats, stop: () => delivery.stop() };
    });
    if (stats.retried + stats.deadLettered > 0) throw new Error(`the receiver failed requests: ${JSON.stringify(stats)}`);
    const { rows } = await reativaPool.query<{ latency_ms: number }>(
      'SELECT latency_ms FROM reativa.delivery_attempts WHERE webhook_id = $1 AND attempted_at >= $2',
      [webhookId, from],
    );
    if (rows.length !== N) throw new Error(`expected ${N} attempts logged, found ${rows.length}`);
    return { ...result, latency: summary(rows.map((r) => r.latency_ms)) };
  };

  // --- baseline: consume + POST, same concurrency --------------------------------
  const baselineRound = async (round: number): Promise<RoundResult> => {
    const { connectTimeoutMs, responseTimeoutMs } = settings.delivery;
    const agent = new Agent({ connect: { timeout: connectTimeoutMs }, headersTimeout: responseTimeoutMs, bodyTimeout: responseTimeoutMs, keepAliveTimeout: 30_000, connections: 32 });
    const inFlight = new Semaphore(CONCURRENCY);
    const { value: latencies, ...result } = await measure(() => baseline(kafka, `${run}-baseline-${round}`, topic, `${receiverUrl}/hook`, agent, inFlight));
    await agent.close();
    return { ...result, latency: summary(latencies) };
  };

  const reativa: RoundResult[] = [];
  const base: RoundResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? (['reativa', 'baseline'] as const) : (['baseline', 'reativa'] as const);
    for (const side of order) {
      const r = side === 'reativa' ? await reativaRound(round) : await baselineRound(round);
      (side === 'reativa' ? reativa : base).push(r);
      console.log(`round ${round} ${side.padEnd(8)} ${Math.round(r.rate)}/s, ${r.cpuMicrosPerDelivery.toFixed(0)} µs CPU per delivery, p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms`);
    }
  }

  await live.stop();
  await digest.close();
  transport.close();
  await admin.deleteTopics({ topics: [...reativaTopicSpecs(topics), ...retryTopicSpecs(topics, settings.delivery.retryScheduleMs.length)].map((s) => s.topic) }).catch(() => undefined);
  await admin.disconnect();
  await reativaPool.end();
  receiver.kill();

  const med = (rs: RoundResult[], pick: (r: RoundResult) => number) => median(rs.map(pick));
  const ratio = med(reativa, (r) => r.rate) / med(base, (r) => r.rate);
  const p99Ratio = med(reativa, (r) => r.latency.p99) / med(base, (r) => r.latency.p99);
  // Each round's two drains ran back to back: their ratio cancels most of the
  // machine's drift between rounds, which moves the baseline alone by ±10 %.
  const paired = reativa.map((r, i) => r.rate / base[i]!.rate);
  const pairedText = `${paired.map((v) => v.toFixed(2)).join(', ')}; median ${median(paired).toFixed(2)}, worst ${Math.min(...paired).toFixed(2)}`;
  console.log(`median: reativa ${Math.round(med(reativa, (r) => r.rate))}/s, baseline ${Math.round(med(base, (r) => r.rate))}/s, ratio ${ratio.toFixed(2)} (target ≥ 0.9; round by round ${pairedText}); p99 ${p99Ratio.toFixed(2)}× the baseline's (target ≤ 2)`);

  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const row = (label: string, pick: (r: RoundResult) => number, format: (v: number) => string) =>
    `| ${label} | ${format(med(reativa, pick))} | ${format(med(base, pick))} |`;
  const perRound = (rs: RoundResult[]) => rs.map((r) => Math.round(r.rate).toLocaleString('en')).join(', ');
  recordBenchmark('Delivery', [
    `Command: \`npm run bench:delivery -- --deliveries ${N} --concurrency ${CONCURRENCY} --rounds ${ROUNDS}\`, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `Method: ${N.toLocaleString('en')} deliveries (Avro, ${KEYS.toLocaleString('en')} distinct (webhook, contract) keys, one webhook) are written to one topic of ${PARTITIONS} partitions. Each round drains all of them twice, with a fresh consumer group each time: once with Reativa's delivery consumer (with the settings \`npm start\` uses, but ${CONCURRENCY} requests in flight for the webhook: per-key lanes, parking checks, the attempt log written to PostgreSQL, offsets committed up to the lowest unfinished delivery), once with a baseline that only consumes with kafkajs and POSTs each record with undici, at the same concurrency (${CONCURRENCY} requests in flight). The order alternates between rounds, and the table gives the median of ${ROUNDS} rounds. A drain is timed from the consumer's start (group join included) until the receiver has answered the last delivery and, for Reativa, every attempt is written to the attempt log (its last partial batch flushed inside the timed drain; before 2026-12-07 up to 2,000 rows were left to the stop, outside it); leaving the group afterwards is not timed, and the run fails unless every attempt reached the attempt log. Both send to the same local receiver, a separate Node.js process answering 200. Latency is the HTTP request's, from send to response (Reativa's read back from the attempt log, in whole milliseconds); CPU is the benchmark process's (user + system, all threads) divided by the deliveries. The benchmark process, both sides alike, runs with the runtime \`reativa start\` gives itself (that of a process that delivers: ${runtimeText(true)}; src/cli/runtime-tuning.ts).`,
    '',
    '| measure (median) | Reativa delivery | baseline (consume + POST) |',
    '|---|---|---|',
    row('deliveries/s', (r) => r.rate, (v) => Math.round(v).toLocaleString('en')),
    row('wall time', (r) => r.seconds, (v) => `${v.toFixed(1)} s`),
    row('CPU per delivery', (r) => r.cpuMicrosPerDelivery, (v) => `${Math.round(v)} µs`),
    row('latency p50', (r) => r.latency.p50, ms),
    row('latency p95', (r) => r.latency.p95, ms),
    row('latency p99', (r) => r.latency.p99, ms),
    '',
    `Rounds, deliveries/s: Reativa ${perRound(reativa)}; baseline ${perRound(base)}.`,
    '',
    `Rounds, Reativa's rate over the baseline's of the same round: ${pairedText}.`,
    '',
    `Rounds, latency p99: Reativa ${reativa.map((r) => ms(r.latency.p99)).join(', ')}; baseline ${base.map((r) => ms(r.latency.p99)).join(', ')}.`,
    '',
    `**Ratio: ${ratio.toFixed(2)}× the baseline** (target ≥ 0.9×); **p99 ${p99Ratio.toFixed(2)}× the baseline's** (target ≤ 2×).`,
  ]);
}

/**
 * The baseline: kafkajs eachBatch, a pool of workers per batch POSTing each
 * record as it is, at most `inFlight` requests at once, nothing else.
 */
async function baseline(kafka: Kafka, groupId: string, topic: string, url: string, agent: Agent, inFlight: Semaphore) {
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      let next = 0;
      const worker = async () => {
        while (next < batch.messages.length) {
          const message = batch.messages[next++]!;
          await inFlight.acquire();
          try {
            const started = performance.now();
            const res = await request(url, { method: 'POST', body: message.value!, headers: { 'content-type': 'application/json' }, dispatcher: agent });
            await res.body.dump();
            latencies.push(performance.now() - started);
          } finally {
            inFlight.release();
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlight.size, batch.messages.length) }, worker));
      resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      await heartbeat();
    },
  });
  await waitFor('the baseline to deliver everything', async () => latencies.length >= N, { timeoutMs: 30 * 60_000, intervalMs: 20 });
  return { value: latencies, stop: () => consumer.disconnect() };
}

// Both sides run in this process, with the runtime `reativa start` gives itself (src/cli/runtime-tuning.ts).
tuneRuntime();
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
