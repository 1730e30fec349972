// npm run bench:e2e [-- --rate 200 --seconds 60 --titles 100000]
// ERP commit → partner receipt, through everything: PostgreSQL, Debezium, the
// change log, the mapper, routing, delivery, HTTP. Reativa runs as `reativa
// start` does, in a process of its own (a namespace of the benchmark's own,
// started at the end of the change log); the partner is an HTTP server in this
// process, which also writes to the ERP.
//   1. Steady load: `rate` contracts a second, each in its own transaction, for
//      `seconds`; latency per change from the commit's return to the receipt.
//   2. A billing run: `titles` receivable titles inserted in one transaction,
//      one for each of as many contracts (made before Reativa starts, so they
//      are in its state but not sent); time from the commit to the last receipt.
// Results go to docs/benchmarks.md.
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createKafka } from '../src/kafka/client.js';
import { positionAtEnd } from '../src/kafka/groups.js';
import { reativaTopics, reativaTopicSpecs, retryTopicSpecs } from '../src/kafka/topics.js';
import { createLogger } from '../src/log.js';
import { projectPath } from '../src/paths.js';
import { groupsOf } from '../src/stages/registry.js';
import { loadSettings } from '../src/settings.js';
import { createStack } from '../src/stack/stack.js';
import { sleep, waitFor } from '../src/util/wait.js';
import { recordBenchmark } from './report.js';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '60' }, titles: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' } } });
const ROUNDS = Number(values.rounds);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const TITLES = Number(values.titles);
const settings = loadSettings();
const logger = createLogger('warn');

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((sorted.length * p) / 100) - 1)] ?? 0;

/** The partner: records when each body arrived, by the key `keyOf` reads from it. */
async function partner(keyOf: (path: string, body: Record<string, unknown>) => string | undefined) {
  const received = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      try {
        const key = keyOf(req.url ?? '', JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>);
        if (key !== undefined && !received.has(key)) received.set(key, at);
      } catch {
        // not ours
      }
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function webhook(erp: pg.Pool, url: string, entity: string, name: string): Promise<number> {
  const integrator = (await erp.query<{ id: string }>('INSERT INTO integrators (alias, version) VALUES ($1, 3) RETURNING id', [`${name}-${Date.now()}`])).rows[0]!.id;
  const id = Number((await erp.query<{ id: string }>("INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ($1, $2, 'POST', $3, 5, 'ops@example.com', 'standard', true) RETURNING id", [name, integrator, url])).rows[0]!.id);
  await erp.query("INSERT INTO webhook_triggers (webhook_id, entity, action) VALUES ($1, $2, 'insert')", [id, entity]);
  return id;
}

async function main() {
  await createStack(settings, (line) => console.log(line)).up();
  // The benchmark stands for the ERP, writing its rows: the stack's superuser.
  const erp = new pg.Pool({ connectionString: settings.erpSuperuserDatabaseUrl, max: 8 });
  const kafka = createKafka(settings, logger);
  const namespace = `benche2e${Date.now()}`;
  const topics = reativaTopics(namespace);
  // The billing run's contracts, made once and kept: a billing run issues one title per contract.
  const company = (await erp.query<{ id: string }>("INSERT INTO companies (name, tx_id) VALUES ('Bench ISP', '12.123.123/0001-14') RETURNING id")).rows[0]!.id;
  const client = (await erp.query<{ id: string }>("INSERT INTO people (name, email) VALUES ('Bench', 'b@example.com') RETURNING id")).rows[0]!.id;
  const { rows: existing } = await erp.query<{ n: string }>("SELECT count(*)::text AS n FROM contracts WHERE contract_number LIKE 'e2e-billing-%'");
  if (Number(existing[0]!.n) < TITLES) {
    console.log(`making ${TITLES} contracts for the billing run (once)…`);
    await erp.query("DELETE FROM contracts WHERE contract_number LIKE 'e2e-billing-%' AND NOT EXISTS (SELECT 1 FROM receivable_titles t WHERE t.contract_id = contracts.id)");
    await erp.query("INSERT INTO contracts (company_id, client_id, contract_number, stage, status) SELECT $1, $2, 'e2e-billing-' || g, 'approved', 'normal' FROM generate_series(1, $3::int) g", [company, client, TITLES]);
  }
  // Started at the change log's end: the benchmark's traffic, not the log's history.
  await positionAtEnd(kafka, groupsOf(namespace).mapper, [`${settings.topicPrefix}.changes`]);

  const steady = await partner((path, body) => (path === '/steady' ? String((body.Contract as { ContractNumber?: string } | undefined)?.ContractNumber) : undefined));
  const billing = await partner((path, body) => (path === '/billing' ? String((body.Title as { TitleNumber?: string } | undefined)?.TitleNumber) : undefined));

  console.log('starting reativa (all stages, one process, as npm start runs it)…');
  const reativa = spawn(process.execPath, ['--import', 'tsx', projectPath('src', 'cli', 'main.ts'), 'start', '--no-stack'], {
    cwd: projectPath(),
    env: { ...process.env, REATIVA_NAMESPACE: namespace, REATIVA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const hooks: number[] = [];
  try {
    // Ready when a change committed now reaches the partner.
    await erp.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
    hooks.push(await webhook(erp, `${steady.url}/steady`, 'contracts', 'bench-e2e-steady'));
    hooks.push(await webhook(erp, `${billing.url}/billing`, 'title_issuance', 'bench-e2e-billing'));
    const insertContract = (number: string) => erp.query('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3)', [company, client, number]);
    await waitFor('reativa to deliver a first change', async () => {
      await insertContract(`warmup-${Date.now()}`);
      await sleep(1000);
      return [...steady.received.keys()].some((k) => k.startsWith('warmup-'));
    }, { timeoutMs: 180_000, intervalMs: 10 });

    const steadyRound = async () => {
    // 1. Steady load.
    console.log(`steady load: ${RATE} changes/s for ${SECONDS} s…`);
    const committed = new Map<string, number>();
    const total = RATE * SECONDS;
    const run = Date.now();
    const started = performance.now();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const number = `steady-${run}-${i}`;
      writes.push(insertContract(number).then(() => committed.set(number, performance.timeOrigin + performance.now())));
    }
    await Promise.all(writes);
    const achievedRate = total / ((performance.now() - started) / 1000);
    await waitFor('every steady change at the partner', async () => [...committed.keys()].every((k) => steady.received.has(k)), { timeoutMs: 120_000, intervalMs: 100 });
    const latencies = [...committed].map(([k, at]) => steady.received.get(k)! - at).sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(`steady: ${latencies.length} changes at ${achievedRate.toFixed(0)}/s, p50 ${p50.toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${latencies[latencies.length - 1]!.toFixed(0)} ms`);
    return { count: latencies.length, achievedRate, p50, p95: percentile(latencies, 95), p99, max: latencies[latencies.length - 1]! };
    };
    const billingRound = async () => {

    // 2. A billing run in one transaction.
    console.log(`billing run: ${TITLES} titles in one transaction…`);
    const run = Date.now();
    await erp.query(
      `INSERT INTO receivable_titles (company_id, contract_id, client_id, title_number, issue_date, due_date, amount)
       SELECT c.company_id, c.id, c.client_id, 'B' || $1::text || '-' || c.id, current_date, current_date + 10, 99.90
         FROM (SELECT * FROM contracts WHERE contract_number LIKE 'e2e-billing-%' ORDER BY id LIMIT $2) c`,
      [String(run), TITLES],
    );
    const commitAt = performance.timeOrigin + performance.now();
    const prefix = `B${run}-`;
    const ours = () => [...billing.received.entries()].filter(([k]) => k.startsWith(prefix));
    // Where the work is, every second: the change log, triggers and deliveries as they fill.
    const watcher = kafka.admin();
    await watcher.connect();
    const ends = async (topic: string) => (await watcher.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    const base = { log: await ends(`${settings.topicPrefix}.changes`), triggers: await ends(topics.triggers), deliveries: await ends(topics.deliveries) };
    const progress: string[] = [];
    const ticker = setInterval(() => {
      void Promise.all([ends(`${settings.topicPrefix}.changes`), ends(topics.triggers), ends(topics.deliveries)]).then(([log, triggers, deliveries]) => {
        progress.push(`${((performance.timeOrigin + performance.now() - commitAt) / 1000).toFixed(0)} s: log +${log - base.log}, triggers +${triggers - base.triggers}, deliveries +${deliveries - base.deliveries}, received ${ours().length}`);
        console.log(`  ${progress[progress.length - 1]}`);
      });
    }, 1000);
    await waitFor(`all ${TITLES} titles at the partner`, async () => ours().length >= TITLES, { timeoutMs: 600_000, intervalMs: 200 }).finally(() => clearInterval(ticker));
    await watcher.disconnect();
    const last = Math.max(...ours().map(([, at]) => at));
    const billingSeconds = (last - commitAt) / 1000;
    console.log(`billing run: ${TITLES} titles delivered ${billingSeconds.toFixed(1)} s after commit`);
    return billingSeconds;
    };
    const steadyRounds = [];
    const billingRounds: number[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      console.log(`round ${i} of ${ROUNDS}`);
      steadyRounds.push(await steadyRound());
      billingRounds.push(await billingRound());
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const worst = (xs: number[]) => Math.max(...xs);
    const list = (xs: number[], digits = 0) => xs.map((x) => x.toFixed(digits)).join(', ');
    const p50s = steadyRounds.map((r) => r.p50);
    const p99s = steadyRounds.map((r) => r.p99);

    recordBenchmark('End to end', [
      `Command: \`npm run bench:e2e -- --rate ${RATE} --seconds ${SECONDS} --titles ${TITLES} --rounds ${ROUNDS}\`, ${new Date().toISOString().slice(0, 10)}.`,
      '',
      'Method: the embedded stack and Reativa as `reativa start` runs it (every stage in one process of its own, default settings, a namespace of the benchmark\'s own whose mapper starts at the change log\'s end); the partner is an HTTP server in the benchmark process, which also writes to the ERP. Latency runs from the moment the ERP transaction\'s commit returns to the benchmark to the moment the partner has the body, both on this machine\'s clock.',
      '',
      `${ROUNDS} rounds, each a steady phase then a billing run, in one Reativa process; medians, the worst round, and every round.`,
      '',
      '| measure | median | worst | rounds | target |',
      '|---|---|---|---|---|',
      `| steady load | ${steadyRounds[0]!.count.toLocaleString('en')} contracts a round, one transaction each, at ${list(steadyRounds.map((r) => r.achievedRate))}/s for ${SECONDS} s | | | 200/s for 60 s |`,
      `| latency p50 | **${med(p50s).toFixed(0)} ms** | **${worst(p50s).toFixed(0)} ms** | ${list(p50s)} | ≤ 150 ms |`,
      `| latency p95 | ${med(steadyRounds.map((r) => r.p95)).toFixed(0)} ms | ${worst(steadyRounds.map((r) => r.p95)).toFixed(0)} ms | ${list(steadyRounds.map((r) => r.p95))} | |`,
      `| latency p99 | **${med(p99s).toFixed(0)} ms** | **${worst(p99s).toFixed(0)} ms** | ${list(p99s)} | ≤ 500 ms |`,
      `| latency max | ${med(steadyRounds.map((r) => r.max)).toFixed(0)} ms | ${worst(steadyRounds.map((r) => r.max)).toFixed(0)} ms | | |`,
      `| billing run: ${TITLES.toLocaleString('en')} titles (one per contract) in one transaction, commit → last receipt | **${med(billingRounds).toFixed(1)} s** | **${worst(billingRounds).toFixed(1)} s** | ${list(billingRounds, 1)} | ≤ 20 s |`,
    ]);
  } finally {
    for (const id of hooks) await erp.query('UPDATE webhooks SET active = false WHERE id = $1', [id]);
    reativa.kill('SIGINT');
    await new Promise((resolve) => reativa.once('exit', resolve));
    await Promise.all([steady.close(), billing.close()]);
    await erp.end();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [...reativaTopicSpecs(topics), ...retryTopicSpecs(topics, settings.delivery.retryScheduleMs.length)].map((s) => s.topic) }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
