// npm run bench:memory [-- --rounds 3 --titles 100000 --parked 10000 --starts 3 --skip-build]
// Resident memory of each stage in a process of its own, compiled as in
// production (`npm run build`, then `node dist/cli/main.js start --stages
// <stage>`), against the embedded stack, in a namespace of the benchmark's own:
//   0. startup: each stage started alone `starts` times, spawn → /readyz 200;
//   then, per round, a mapper, a routing and a delivery process, fresh:
//   1. idle: running, one delivery made, nothing to do;
//   2. a burst: `titles` receivable titles in one ERP transaction, one per
//      contract: as many deliveries, through every stage, to a partner that answers 200;
//   3. parked: the partner down (503 to everything), `parked` contracts with two
//      titles each: every key parked (its head in a retry topic, the next
//      delivery in PostgreSQL), retries coming back while it is measured.
// Memory is read from /proc/<pid>/status every 250 ms (VmRSS, and its anonymous
// and file-backed parts: the mapper's LMDB store is a file mapping, pages the
// kernel can drop); the V8 heap from each process's /metrics. Results go to
// docs/benchmarks.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import path from 'node:path';
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
import { median } from './common.js';
import { machine, recordBenchmark } from './report.js';
import { runtimeText } from '../src/cli/runtime-tuning.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    titles: { type: 'string', default: '100000' },
    parked: { type: 'string', default: '10000' },
    starts: { type: 'string', default: '3' },
    'skip-build': { type: 'boolean', default: false },
    // Writes a V8 heap snapshot of every process at the end of each phase, into .stack/bench-memory/ (what holds memory).
    'heap-snapshots': { type: 'boolean', default: false },
    // Node.js/V8 flags for the stage processes (`node <flags> dist/cli/main.js start …`): --node-flags=--max-semi-space-size=8.
    'node-flags': { type: 'string', default: '' },
  },
});
const ROUNDS = Number(values.rounds);
const TITLES = Number(values.titles);
const PARKED = Number(values.parked);
const STARTS = Number(values.starts);
const NODE_FLAGS = values['node-flags'].split(/\s+/).filter(Boolean);
const STAGES = ['mapper', 'routing', 'delivery'] as const;
type Stage = (typeof STAGES)[number];
/** The limits of issue 12: parked deliveries stay in Kafka and PostgreSQL, not on the heap. */
const LIMIT_MB: Record<Stage, number> = { mapper: 150, routing: 150, delivery: 250 };
/** Retries come back within the parked phase's measure. */
const RETRY_SCHEDULE = '5s,10s,20s,1m,5m';
const PARKED_MEASURE_MS = 40_000;
const settings = loadSettings();
const SNAPSHOT_DIR = path.join(settings.stackDir, 'bench-memory');
const logger = createLogger('warn');

const MB = 1_000_000;
const worst = (xs: readonly number[]) => Math.max(...xs);

interface Memory {
  /** Resident set, bytes. */
  readonly rss: number;
  readonly anon: number;
  readonly file: number;
}

/** A process's resident memory, from /proc (Linux): VmRSS and its anonymous and file-backed parts. */
function memoryOf(pid: number): Memory | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') + kb('RssShmem') };
  } catch {
    return undefined;
  }
}

/** CPU time a process has used (user + system, every thread), seconds, from /proc/<pid>/stat (Linux's clock ticks: 100 a second). */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    // The command name (field 2) is in brackets and may hold spaces: count fields after its closing bracket.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** A compiled stage process, `node dist/cli/main.js start --no-stack --stages <stage>`. */
class StageProcess {
  readonly child: ChildProcess;
  readonly spawnedAt = performance.now();
  address: string | undefined;
  running = false;
  private readonly exited: Promise<void>;

  constructor(
    readonly stage: Stage,
    env: NodeJS.ProcessEnv,
  ) {
    const snapshots = values['heap-snapshots'] ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${SNAPSHOT_DIR}`] : [];
    this.child = spawn(process.execPath, [...NODE_FLAGS, ...snapshots, projectPath('dist', 'cli', 'main.js'), 'start', '--no-stack', '--stages', stage], { cwd: projectPath(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    let buffered = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) {
        if (!part.startsWith('{')) continue;
        const line = JSON.parse(part) as { msg: string; level: number; address?: string };
        if (line.address && line.msg.startsWith('http server listening')) this.address = line.address;
        if (line.msg === `${stage} running`) this.running = true;
        if (line.level >= 50) console.log(`  [${stage}] ${part.slice(0, 400)}`);
      }
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Spawn → /readyz answers 200 (every stage started, its groups joined); milliseconds. */
  async ready(): Promise<number> {
    await waitFor(`the ${this.stage} process ready`, async () => {
      if (this.child.exitCode !== null) throw new Error(`the ${this.stage} process exited (${this.child.exitCode})`);
      if (!this.address || !this.running) return false;
      const res = await fetch(`${this.address}/readyz`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      return res?.status === 200;
    }, { timeoutMs: 180_000, intervalMs: 20 });
    return performance.now() - this.spawnedAt;
  }

  /** The V8 heap in use and committed, and memory outside it (Buffers), from /metrics (prom-client's default metrics). */
  async heap(): Promise<Heap | undefined> {
    if (!this.address) return undefined;
    const text = await fetch(`${this.address}/metrics`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text()).catch(() => '');
    const metric = (name: string) => Number(new RegExp(`^${name}\\s+(\\S+)`, 'm').exec(text)?.[1] ?? NaN);
    const heap = { used: metric('nodejs_heap_size_used_bytes'), total: metric('nodejs_heap_size_total_bytes'), external: metric('nodejs_external_memory_bytes') };
    return Number.isNaN(heap.used) ? undefined : heap;
  }

  /** A heap snapshot (with --heap-snapshots): written by the process itself on SIGUSR2, named Heap.<date>.<pid>….heapsnapshot. */
  async snapshot(): Promise<void> {
    if (!values['heap-snapshots']) return;
    const before = new Set(fs.readdirSync(SNAPSHOT_DIR));
    this.child.kill('SIGUSR2');
    await waitFor(`a heap snapshot of the ${this.stage} process`, async () => fs.readdirSync(SNAPSHOT_DIR).some((f) => !before.has(f) && f.includes(`.${this.pid}.`) && f.endsWith('.heapsnapshot')), { timeoutMs: 120_000, intervalMs: 500 });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    await Promise.race([this.exited, sleep(60_000).then(() => this.child.kill('SIGKILL'))]);
  }
}

/** The most and the last resident memory of each process while it runs. */
class Sampler {
  readonly peak = new Map<Stage, Memory>();
  readonly last = new Map<Stage, Memory>();
  /** CPU seconds each process used between the sampler's start and stop. */
  readonly cpu = new Map<Stage, number>();
  private readonly cpuAtStart = new Map<Stage, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly processes: readonly StageProcess[]) {
    for (const p of processes) this.cpuAtStart.set(p.stage, cpuSecondsOf(p.pid) ?? NaN);
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
  }

  private sample() {
    for (const p of this.processes) {
      const m = memoryOf(p.pid);
      if (!m) continue;
      this.last.set(p.stage, m);
      if (m.rss > (this.peak.get(p.stage)?.rss ?? 0)) this.peak.set(p.stage, m);
    }
  }

  stop(): this {
    clearInterval(this.timer);
    this.sample();
    for (const p of this.processes) this.cpu.set(p.stage, (cpuSecondsOf(p.pid) ?? NaN) - this.cpuAtStart.get(p.stage)!);
    return this;
  }
}

/** A partner: counts what each path received; `/down` answers 503 to everything. */
async function partner() {
  const received = new Map<string, number>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      received.set(path, (received.get(path) ?? 0) + 1);
      res.statusCode = path === '/down' ? 503 : 200;
      res.end(path === '/down' ? '' : '{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: (path: string) => received.get(path) ?? 0, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

interface Heap {
  readonly used: number;
  readonly total: number;
  readonly external: number;
}

interface PhaseMemory {
  readonly peak: Memory;
  readonly end: Memory;
  readonly heap: Heap | undefined;
  /** CPU seconds the process used during the phase. */
  readonly cpu: number;
}
type RoundMemory = Record<'idle' | 'burst' | 'parked', Record<Stage, PhaseMemory>>;

async function main() {
  if (values['heap-snapshots']) fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
  if (!values['skip-build']) {
    console.log('npm run build…');
    const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: projectPath(), stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  // The stack as the tests find it: left alone when healthy, brought up otherwise.
  const stack = createStack(settings, (line) => console.log(line));
  const status = await stack.status();
  if (!status.components.every((c) => c.up) || status.connector?.state !== 'RUNNING') await stack.up();
  const erp = new pg.Pool({ connectionString: settings.erpSuperuserDatabaseUrl, max: 4 });
  const reativaDb = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 2 });
  // A database restarted meanwhile (another test of the stack) drops idle clients: the next query reconnects.
  for (const pool of [erp, reativaDb]) pool.on('error', (error) => console.log(`  (database connection lost: ${error.message})`));
  const kafka = createKafka(settings, logger);
  const namespace = `benchmem${Date.now()}`;
  const topics = reativaTopics(namespace);
  const env = { REATIVA_NAMESPACE: namespace, REATIVA_HTTP_PORT: '0', REATIVA_LOG_LEVEL: 'info', REATIVA_DELIVERY_RETRY_SCHEDULE: RETRY_SCHEDULE, REATIVA_PROGRESS_LOG_INTERVAL: '1h' };

  // The billing run's contracts (bench:e2e's, made once and kept): a billing run issues one title per contract.
  const company = (await erp.query<{ id: string }>("INSERT INTO companies (name, tx_id) VALUES ('Bench ISP', '12.123.123/0001-14') RETURNING id")).rows[0]!.id;
  const client = (await erp.query<{ id: string }>("INSERT INTO people (name, email) VALUES ('Bench', 'b@example.com') RETURNING id")).rows[0]!.id;
  const { rows: existing } = await erp.query<{ n: string }>("SELECT count(*)::text AS n FROM contracts WHERE contract_number LIKE 'e2e-billing-%'");
  if (Number(existing[0]!.n) < TITLES) {
    console.log(`making ${TITLES} contracts for the billing run (once)…`);
    await erp.query("INSERT INTO contracts (company_id, client_id, contract_number, stage, status) SELECT $1, $2, 'e2e-billing-' || g, 'approved', 'normal' FROM generate_series($3::int + 1, $4::int) g", [company, client, Number(existing[0]!.n), TITLES]);
  }
  // Debezium is behind the commit: the change log has settled when its end stops moving for 3 s.
  const watcher = kafka.admin();
  await watcher.connect();
  const logEnd = async () => (await watcher.fetchTopicOffsets(`${settings.topicPrefix}.changes`)).reduce((sum, p) => sum + Number(p.high), 0);
  let seen = await logEnd();
  let since = Date.now();
  await waitFor('the change log to settle', async () => {
    const end = await logEnd();
    if (end !== seen) [seen, since] = [end, Date.now()];
    return Date.now() - since >= 3000;
  }, { timeoutMs: 600_000, intervalMs: 500 });
  await watcher.disconnect();
  // Started at the change log's end: the benchmark's traffic, not the log's history.
  await positionAtEnd(kafka, groupsOf(namespace).mapper, [`${settings.topicPrefix}.changes`]);
  const billing = (run: string, count: number) =>
    erp.query(
      `INSERT INTO receivable_titles (company_id, contract_id, client_id, title_number, issue_date, due_date, amount)
       SELECT c.company_id, c.id, c.client_id, $1::text || '-' || c.id, current_date, current_date + 10, 99.90
         FROM (SELECT * FROM contracts WHERE contract_number LIKE 'e2e-billing-%' ORDER BY id LIMIT $2) c`,
      [run, count],
    );
  const webhook = async (url: string, name: string, maxAttempts: number) => {
    const integrator = (await erp.query<{ id: string }>('INSERT INTO integrators (alias, version) VALUES ($1, 3) RETURNING id', [`${name}-${Date.now()}`])).rows[0]!.id;
    const id = Number((await erp.query<{ id: string }>("INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ($1, $2, 'POST', $3, $4, 'ops@example.com', 'standard', true) RETURNING id", [name, integrator, url, maxAttempts])).rows[0]!.id);
    await erp.query("INSERT INTO webhook_triggers (webhook_id, entity, action) VALUES ($1, 'title_issuance', 'insert')", [id]);
    return id;
  };
  const parkedOf = async (webhookId: number) => {
    const keys = await reativaDb.query<{ n: string }>("SELECT count(*)::text AS n FROM reativa.parked_keys WHERE key LIKE $1 || '|%'", [webhookId]);
    const queued = await reativaDb.query<{ n: string }>("SELECT count(*)::text AS n FROM reativa.parked_deliveries WHERE key LIKE $1 || '|%'", [webhookId]);
    return { keys: Number(keys.rows[0]!.n), queued: Number(queued.rows[0]!.n) };
  };
  const forget = async (webhookId: number) => {
    await erp.query('UPDATE webhooks SET active = false WHERE id = $1', [webhookId]);
    await reativaDb.query("DELETE FROM reativa.parked_deliveries WHERE key LIKE $1 || '|%'", [webhookId]);
    await reativaDb.query("DELETE FROM reativa.parked_keys WHERE key LIKE $1 || '|%'", [webhookId]);
  };

  const site = await partner();
  await erp.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
  const running = new Set<StageProcess>();
  const hooks: number[] = [];
  const startups: Record<Stage, number[]> = { mapper: [], routing: [], delivery: [] };
  const rounds: RoundMemory[] = [];
  const parkedCounts: { keys: number; queued: number; attempts: number }[] = [];
  const burstSeconds: number[] = [];
  const loadBefore = os.loadavg()[0]!;
  try {
    // 0. Startup, each stage alone (its topics made by the first start).
    for (let i = 1; i <= STARTS; i++) {
      for (const stage of STAGES) {
        const p = new StageProcess(stage, env);
        running.add(p);
        const ms = await p.ready();
        startups[stage].push(ms);
        await p.stop();
        running.delete(p);
        console.log(`startup ${i} ${stage}: ${ms.toFixed(0)} ms to ready`);
      }
    }

    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round} of ${ROUNDS}`);
      const processes = STAGES.map((stage) => new StageProcess(stage, env));
      for (const p of processes) running.add(p);
      await Promise.all(processes.map((p) => p.ready()));
      const phase = async (sampler: Sampler): Promise<Record<Stage, PhaseMemory>> => {
        sampler.stop();
        const entries = await Promise.all(processes.map(async (p) => [p.stage, { peak: sampler.peak.get(p.stage)!, end: sampler.last.get(p.stage)!, heap: await p.heap(), cpu: sampler.cpu.get(p.stage)! }] as const));
        for (const p of processes) await p.snapshot();
        return Object.fromEntries(entries) as Record<Stage, PhaseMemory>;
      };
      const show = (name: string, m: Record<Stage, PhaseMemory>) =>
        console.log(`  ${name}: ${STAGES.map((s) => `${s} ${(m[s].end.rss / MB).toFixed(0)} MB (peak ${(m[s].peak.rss / MB).toFixed(0)}, anon ${(m[s].end.anon / MB).toFixed(0)}, heap ${m[s].heap === undefined ? '?' : `${(m[s].heap.used / MB).toFixed(0)}/${(m[s].heap.total / MB).toFixed(0)}, external ${(m[s].heap.external / MB).toFixed(0)}`})`).join('; ')}`);

      // 1. Idle: one delivery through, then nothing to do.
      const burstHook = await webhook(`${site.url}/burst-${round}`, `bench-memory-burst-${round}`, 5);
      hooks.push(burstHook);
      await waitFor('a first delivery', async () => {
        await erp.query("INSERT INTO receivable_titles (company_id, contract_id, client_id, title_number, issue_date, due_date, amount) SELECT company_id, id, client_id, 'warmup-' || $1::text, current_date, current_date + 10, 1 FROM contracts WHERE contract_number LIKE 'e2e-billing-%' ORDER BY id LIMIT 1", [`${Date.now()}`]);
        await sleep(1000);
        return site.count(`/burst-${round}`) > 0;
      }, { timeoutMs: 120_000, intervalMs: 10 });
      await sleep(10_000);
      const idleSampler = new Sampler(processes);
      await sleep(5_000);
      const idle = await phase(idleSampler);
      show('idle', idle);

      // 2. The burst.
      const before = site.count(`/burst-${round}`);
      const burstSampler = new Sampler(processes);
      const t0 = performance.now();
      await billing(`M${Date.now()}`, TITLES);
      await waitFor(`${TITLES} deliveries at the partner`, async () => site.count(`/burst-${round}`) - before >= TITLES, { timeoutMs: 900_000, intervalMs: 200 });
      burstSeconds.push((performance.now() - t0) / 1000);
      // Settled: what a process keeps after the burst, beside its peak during it.
      await sleep(5_000);
      const burst = await phase(burstSampler);
      show(`burst (${burstSeconds.at(-1)!.toFixed(1)} s)`, burst);
      console.log(`  burst CPU per delivery: ${STAGES.map((s) => `${s} ${((burst[s].cpu / TITLES) * 1e6).toFixed(0)} µs`).join(', ')}`);

      // 3. Parked: the partner down, PARKED keys with two deliveries each.
      await erp.query('UPDATE webhooks SET active = false WHERE id = $1', [burstHook]);
      const downHook = await webhook(`${site.url}/down`, `bench-memory-down-${round}`, 50);
      hooks.push(downHook);
      const parkedSampler = new Sampler(processes);
      const downBefore = site.count('/down');
      const run = `P${Date.now()}`;
      await billing(`${run}a`, PARKED);
      await billing(`${run}b`, PARKED);
      await waitFor(`${PARKED} keys parked`, async () => {
        const c = await parkedOf(downHook);
        return c.keys >= PARKED && c.queued >= PARKED;
      }, { timeoutMs: 600_000, intervalMs: 1000 });
      // Retries of the heads come back (the first after 5 s, then 10 s, 20 s) while this runs.
      await sleep(PARKED_MEASURE_MS);
      const parked = await phase(parkedSampler);
      const counts = await parkedOf(downHook);
      parkedCounts.push({ ...counts, attempts: site.count('/down') - downBefore });
      show(`parked (${counts.keys} keys, ${counts.queued} queued, ${site.count('/down') - downBefore} attempts)`, parked);
      rounds.push({ idle, burst, parked });

      for (const p of processes) {
        await p.stop();
        running.delete(p);
      }
      await forget(downHook);
    }
  } finally {
    for (const p of running) await p.stop();
    for (const id of hooks) await forget(id);
    await site.close();
    await erp.end();
    await reativaDb.end();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [...reativaTopicSpecs(topics), ...retryTopicSpecs(topics, RETRY_SCHEDULE.split(',').length)].map((s) => s.topic) }).catch(() => undefined);
    await admin.disconnect();
  }

  const loadAfter = os.loadavg()[0]!;
  const mb = (bytes: number) => (bytes / MB).toFixed(0);
  const micros = (cpuSeconds: number) => ((cpuSeconds / TITLES) * 1e6).toFixed(0);
  const cell = (stage: Stage, pick: (r: RoundMemory) => number) => {
    const xs = rounds.map(pick);
    const over = worst(xs) > LIMIT_MB[stage] * MB;
    return `${mb(median(xs))} / ${over ? '**' : ''}${mb(worst(xs))}${over ? '** (over)' : ''}`;
  };
  const lines: string[] = [
    `Command: \`npm run bench:memory -- --rounds ${ROUNDS} --titles ${TITLES} --parked ${PARKED} --starts ${STARTS}${NODE_FLAGS.length ? ` --node-flags='${NODE_FLAGS.join(' ')}'` : ''}\`, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `Method: \`npm run build\`, then each stage in a process of its own as in production, \`node ${NODE_FLAGS.length ? `${NODE_FLAGS.join(' ')} ` : ''}dist/cli/main.js start --no-stack --stages <stage>\` (default settings but the retry schedule, ${RETRY_SCHEDULE}, so retries come back while it is measured), against the embedded stack, in a namespace of the benchmark's own. Resident memory is read from \`/proc/<pid>/status\` every 250 ms: VmRSS, in MB of 10⁶ bytes, and its anonymous part (the process's own: heap, buffers, native allocations) apart from its file-backed part (mapped files the kernel can drop and re-read: the program's code and, for the mapper, its LMDB state store); the V8 heap in use comes from each process's \`/metrics\`. Each round starts three fresh processes (mapper, routing, delivery) and measures them`,
    `**idle** (one delivery made, then 15 s with nothing to do), during and 5 s after a **burst** of ${TITLES.toLocaleString('en')} deliveries (that many receivable titles in one ERP transaction, one per contract, to a partner answering 200: median ${median(burstSeconds).toFixed(1)} s from commit to the last receipt), and **parked**: the partner down (503 to everything, a webhook of its own), ${PARKED.toLocaleString('en')} contracts with two titles each (two transactions), so ${PARKED.toLocaleString('en')} keys are parked — their heads in the retry topics, the next delivery of each in PostgreSQL — then ${PARKED_MEASURE_MS / 1000} s more while the heads' retries come back and fail again (${parkedCounts.map((c) => c.attempts.toLocaleString('en')).join(', ')} attempts a round).`,
    `Each process runs with the runtime \`reativa start\` gives itself (it re-executes itself in place with ${runtimeText(true)} where it delivers and ${runtimeText(false)} elsewhere: src/cli/runtime-tuning.ts). Load average (1 min: these processes, the stack's JVMs and anything else on the machine) when the rounds began and ended: ${loadBefore.toFixed(1)} and ${loadAfter.toFixed(1)}; timings move by ±20 % or more on this machine, memory less. ${ROUNDS} rounds; cells give the median / worst round, in MB.`,
    '',
    '| stage (limit) | idle | burst: peak | burst: after | parked: peak | parked: end | anonymous, worst of any phase | V8 heap (main thread) in use / committed, worst |',
    '|---|---|---|---|---|---|---|---|',
    ...STAGES.map((s) => {
      const all = rounds.flatMap((r) => [r.idle[s], r.burst[s], r.parked[s]]);
      const heaps = all.map((p) => p.heap?.used).filter((h): h is number => h !== undefined);
      const committed = all.map((p) => p.heap?.total).filter((h): h is number => h !== undefined);
      return `| ${s} (≤ ${LIMIT_MB[s]} MB) | ${cell(s, (r) => r.idle[s].peak.rss)} | ${cell(s, (r) => r.burst[s].peak.rss)} | ${cell(s, (r) => r.burst[s].end.rss)} | ${cell(s, (r) => r.parked[s].peak.rss)} | ${cell(s, (r) => r.parked[s].end.rss)} | ${mb(worst(all.map((p) => Math.max(p.peak.anon, p.end.anon))))} | ${heaps.length ? `${mb(worst(heaps))} / ${mb(worst(committed))}` : '—'} |`;
    }),
    '',
    `CPU during the burst (user + system, every thread of the process, from \`/proc/<pid>/stat\`, from the commit until 5 s after the last receipt), per delivery, median / worst round: ${STAGES.map((s) => `${s} ${micros(median(rounds.map((r) => r.burst[s].cpu)))} / ${micros(worst(rounds.map((r) => r.burst[s].cpu)))} µs`).join(', ')}.`,
    '',
    `Startup of a compiled process, alone, with the stack up and its topics made (spawn → \`/readyz\` answers 200: every stage started and its consumer groups joined), ${STARTS} starts each, median / worst: ${STAGES.map((s) => `${s} ${(median(startups[s]) / 1000).toFixed(1)} / ${(worst(startups[s]) / 1000).toFixed(1)} s`).join(', ')} (target < 3 s; the first start of a namespace also makes its topics).`,
    '',
    `Every round, per stage and phase (RSS at the phase's end, peak in brackets, MB): ${rounds
      .map((r, i) => `round ${i + 1}: ${(['idle', 'burst', 'parked'] as const).map((ph) => `${ph} ${STAGES.map((s) => `${s} ${mb(r[ph][s].end.rss)} (${mb(r[ph][s].peak.rss)})`).join(', ')}`).join('; ')}`)
      .join('. ')}.`,
  ];
  recordBenchmark(NODE_FLAGS.length ? `Memory per process, node ${NODE_FLAGS.join(' ')}` : 'Memory per process', lines);
  console.log(`written to docs/benchmarks.md (${machine()})`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  // Keep-alive sockets to the stage processes' HTTP servers (fetch's pool) would hold the process open: the run is over.
  .finally(() => setTimeout(() => process.exit(), 1000).unref());
