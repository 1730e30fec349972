// What the whole-path benchmarks share (bench:e2e and bench:peers): the
// partner that timestamps each body it receives, the ERP rows they write, a
// steady stream of one-row transactions, a billing run, Reativa as
// `reativa start` runs it, and the statistics. Each benchmark keeps its own
// phases and report; this is only what would otherwise be copied.
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { positionAtEnd } from '../src/kafka/groups.js';
import { type ReativaTopics, reativaTopics, reativaTopicSpecs, retryTopicSpecs } from '../src/kafka/topics.js';
import { projectPath } from '../src/paths.js';
import type { Settings } from '../src/settings.js';
import { groupsOf } from '../src/stages/registry.js';
import { sleep } from '../src/util/wait.js';

/** Nearest-rank percentile of an ascending array (0 when empty). */
export const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((sorted.length * p) / 100) - 1)] ?? 0;

/** Median of any array (the mean of the middle two when even). */
export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export function summarize(latencies: readonly number[]): LatencySummary {
  const s = [...latencies].sort((a, b) => a - b);
  return { count: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? 0 };
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between commit and receipt. */
export const now = () => performance.timeOrigin + performance.now();

export interface Partner {
  readonly url: string;
  /** Key → when its body first arrived (`now()`). */
  readonly received: Map<string, number>;
  close(): Promise<void>;
}

/** The partner: records when each body arrived, by the key `keyOf` reads from it; answers 200 to all. */
export async function partner(keyOf: (path: string, body: Record<string, unknown>) => string | undefined): Promise<Partner> {
  const received = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = now();
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
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Keep-alive connections of a sender that is still up would hold close() open.
      server.closeAllConnections();
    }),
  };
}

/** An ERP webhook (standard kind) for inserts of `entity`, posting to `url`. */
export async function erpWebhook(erp: pg.Pool, url: string, entity: string, name: string): Promise<number> {
  const integrator = (await erp.query<{ id: string }>('INSERT INTO integrators (alias, version) VALUES ($1, 3) RETURNING id', [`${name}-${Date.now()}`])).rows[0]!.id;
  const id = Number((await erp.query<{ id: string }>("INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ($1, $2, 'POST', $3, 5, 'ops@example.com', 'standard', true) RETURNING id", [name, integrator, url])).rows[0]!.id);
  await erp.query("INSERT INTO webhook_triggers (webhook_id, entity, action) VALUES ($1, $2, 'insert')", [id, entity]);
  return id;
}

export interface BenchErp {
  readonly company: string;
  readonly client: string;
}

/**
 * The company and client the benchmark's contracts belong to, and the billing
 * run's contracts (`titles` of them, made once and kept: a billing run issues
 * one title per contract).
 */
export async function benchErp(erp: pg.Pool, titles: number): Promise<BenchErp> {
  const company = (await erp.query<{ id: string }>("INSERT INTO companies (name, tx_id) VALUES ('Bench ISP', '12.123.123/0001-14') RETURNING id")).rows[0]!.id;
  const client = (await erp.query<{ id: string }>("INSERT INTO people (name, email) VALUES ('Bench', 'b@example.com') RETURNING id")).rows[0]!.id;
  const { rows: existing } = await erp.query<{ n: string }>("SELECT count(*)::text AS n FROM contracts WHERE contract_number LIKE 'e2e-billing-%'");
  if (Number(existing[0]!.n) < titles) {
    console.log(`making ${titles} contracts for the billing run (once)…`);
    await erp.query("DELETE FROM contracts WHERE contract_number LIKE 'e2e-billing-%' AND NOT EXISTS (SELECT 1 FROM receivable_titles t WHERE t.contract_id = contracts.id)");
    await erp.query("INSERT INTO contracts (company_id, client_id, contract_number, stage, status) SELECT $1, $2, 'e2e-billing-' || g, 'approved', 'normal' FROM generate_series(1, $3::int) g", [company, client, titles]);
  }
  return { company, client };
}

/**
 * A billing run: `titles` receivable titles in one transaction into `table`
 * (public.receivable_titles, or a copy of it), one for each billing contract,
 * numbered `B<run>-<contract id>`. Returns the commit's time and the numbers' prefix.
 */
export async function billingRun(erp: pg.Pool, table: string, titles: number): Promise<{ commitAt: number; prefix: string }> {
  const run = Date.now();
  await erp.query(
    `INSERT INTO ${table} (company_id, contract_id, client_id, title_number, issue_date, due_date, amount)
     SELECT c.company_id, c.id, c.client_id, 'B' || $1::text || '-' || c.id, current_date, current_date + 10, 99.90
       FROM (SELECT * FROM contracts WHERE contract_number LIKE 'e2e-billing-%' ORDER BY id LIMIT $2) c`,
    [String(run), titles],
  );
  return { commitAt: now(), prefix: `B${run}-` };
}

/**
 * Steady load: `rate` calls of `write` a second for `seconds`, each with a new
 * key `<prefix>-<i>`, paced on the clock (not waiting for the previous write).
 * Returns when each key's write returned (its commit, for a one-row
 * transaction) and the rate achieved.
 */
export async function steadyWrites(write: (key: string) => Promise<unknown>, rate: number, seconds: number, prefix: string): Promise<{ committed: Map<string, number>; achievedRate: number }> {
  const committed = new Map<string, number>();
  const total = rate * seconds;
  const started = performance.now();
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const key = `${prefix}-${i}`;
    writes.push(write(key).then(() => committed.set(key, now())));
  }
  await Promise.all(writes);
  return { committed, achievedRate: total / ((performance.now() - started) / 1000) };
}

/** Commit → receipt for each committed key (all of them must have arrived). */
export function latencies(committed: ReadonlyMap<string, number>, received: ReadonlyMap<string, number>): number[] {
  return [...committed].map(([key, at]) => received.get(key)! - at);
}

export interface ReativaProcess {
  readonly namespace: string;
  readonly topics: ReativaTopics;
  readonly child: ChildProcess;
  /** Stops the process (SIGINT, as Ctrl-C) and deletes the namespace's topics. */
  stop(): Promise<void>;
}

/**
 * Reativa as `reativa start` runs it (every stage in one process of its own)
 * in a namespace of the benchmark's own, its mapper positioned at the change
 * log's end: it delivers the benchmark's traffic, not the log's history.
 */
export async function startReativa(settings: Settings, kafka: Kafka, prefix: string): Promise<ReativaProcess> {
  const namespace = `${prefix}${Date.now()}`;
  const topics = reativaTopics(namespace);
  await positionAtEnd(kafka, groupsOf(namespace).mapper, [`${settings.topicPrefix}.changes`]);
  const child = spawn(process.execPath, ['--import', 'tsx', projectPath('src', 'cli', 'main.ts'), 'start', '--no-stack'], {
    cwd: projectPath(),
    env: { ...process.env, REATIVA_NAMESPACE: namespace, REATIVA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    namespace,
    topics,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [...reativaTopicSpecs(topics), ...retryTopicSpecs(topics, settings.delivery.retryScheduleMs.length)].map((s) => s.topic) }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
