// npm run bench:state [-- --rows N --rebuild M]
// Why the mapper's state store is LMDB, and how long it takes to build one.
//   1. The same versioned-row workload on both candidates, alternating rounds:
//      LMDB (lmdb-js, the store Reativa ships) and Reativa's own PostgreSQL
//      (the same layout as tables, written with unnest() in one transaction per
//      batch, read with one query per batch). Applying N row changes in batches
//      of 1,000, then reading N rows as of the head and as of earlier positions, in batches of 1,000.
//   2. Rebuilding an empty store from a change log of M snapshot reads, as a new
//      mapper process or a hot standby does: the real applier, end to end
//      through Kafka.
// Results go to docs/benchmarks.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Change } from '../src/capture/envelope.js';
import { createKafka } from '../src/kafka/client.js';
import { ensureTopics } from '../src/kafka/topics.js';
import { createLogger } from '../src/log.js';
import { CHILD_INDEXES } from '../src/mapping/table-map.js';
import { StateApplier } from '../src/stages/mapper/applier.js';
import { loadSettings } from '../src/settings.js';
import { ChangeStore } from '../src/state/change-store.js';
import { createStack } from '../src/stack/stack.js';
import { recordBenchmark } from './report.js';
import { record, writeLog } from './synthetic-log.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, rebuild: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '3' } } });
const N = Number(values.rows);
const REBUILD = Number(values.rebuild);
const ROUNDS = Number(values.rounds);
const BATCH = 1000;
const KEYS = 50_000;
const settings = loadSettings();
const logger = createLogger('warn');

const personRow = (i: number, v: number) => ({ id: i % KEYS, name: `Cliente ${i % KEYS} v${v}`, tx_id: '123.456.789-09', email: `c${i}@example.com`, phone: '(11)3333-4444', cell_phone: '(11)99999-0000' });
const change = (i: number): Change => ({ op: 'u', schema: 'public', table: 'people', before: null, after: personRow(i, i), key: { id: i % KEYS }, committedAt: 1_700_000_000_000 + i, lsn: i, txId: i, snapshot: false });

interface Result {
  readonly applyPerSecond: number;
  /** Reads as of the head: the newest version of each row (the mapper keeping up with the ERP). */
  readonly readHeadPerSecond: number;
  /** Reads as of an earlier position: an older version (a backlog, a replay). */
  readonly readPastPerSecond: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function lmdbRound(): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reativa-bench-lmdb-'));
  const store = ChangeStore.open(dir, { indexes: CHILD_INDEXES });
  const t = performance.now();
  for (let start = 0; start < N; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(N, start + BATCH); i++) batch.push({ offset: i, change: change(i) });
    store.apply(batch, Math.min(N, start + BATCH) - 1);
  }
  const applySeconds = (performance.now() - t) / 1000;
  let found = 0;
  const read = (asOf: (start: number) => number) => {
    const t0 = performance.now();
    for (let start = 0; start < N; start += BATCH) {
      const view = store.reader().asOf(asOf(start));
      for (let i = start; i < Math.min(N, start + BATCH); i++) if (view.get('people', (i * 7919) % KEYS)) found += 1;
    }
    return N / ((performance.now() - t0) / 1000);
  };
  const readHeadPerSecond = read(() => N);
  const readPastPerSecond = read((start) => start + BATCH / 2);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  if (found === 0) throw new Error('LMDB read nothing');
  return { applyPerSecond: N / applySeconds, readHeadPerSecond, readPastPerSecond };
}

async function postgresRound(pool: pg.Pool): Promise<Result> {
  const schema = `bench_state_${Date.now()}`;
  await pool.query(`CREATE SCHEMA ${schema}`);
  await pool.query(`CREATE TABLE ${schema}.versions (tbl text NOT NULL, pk text NOT NULL, log_offset bigint NOT NULL, deleted boolean NOT NULL, committed_at bigint NOT NULL, row_image jsonb NOT NULL, PRIMARY KEY (tbl, pk, log_offset))`);
  const t = performance.now();
  for (let start = 0; start < N; start += BATCH) {
    const [tbl, pk, off, del, at, rows]: [unknown[], unknown[], unknown[], unknown[], unknown[], unknown[]] = [[], [], [], [], [], []];
    for (let i = start; i < Math.min(N, start + BATCH); i++) {
      const c = change(i);
      tbl.push(c.table); pk.push(String(i % KEYS)); off.push(i); del.push(false); at.push(c.committedAt); rows.push(JSON.stringify(c.after));
    }
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${schema}.versions SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::boolean[], $5::bigint[], $6::jsonb[])`,
        [tbl, pk, off, del, at, rows],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }
  const applySeconds = (performance.now() - t) / 1000;
  let found = 0;
  const read = async (asOf: (start: number) => number) => {
    const t0 = performance.now();
    for (let start = 0; start < N; start += BATCH) {
      const keys = [];
      for (let i = start; i < Math.min(N, start + BATCH); i++) keys.push(String((i * 7919) % KEYS));
      const { rows } = await pool.query(
        `SELECT k.pk, v.row_image FROM unnest($1::text[]) AS k(pk)
           CROSS JOIN LATERAL (SELECT row_image FROM ${schema}.versions WHERE tbl = 'people' AND pk = k.pk AND log_offset <= $2 ORDER BY log_offset DESC LIMIT 1) v`,
        [keys, asOf(start)],
      );
      found += rows.length;
    }
    return N / ((performance.now() - t0) / 1000);
  };
  const readHeadPerSecond = await read(() => N);
  const readPastPerSecond = await read((start) => start + BATCH / 2);
  await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  if (found === 0) throw new Error('PostgreSQL read nothing');
  return { applyPerSecond: N / applySeconds, readHeadPerSecond, readPastPerSecond };
}

async function rebuild(): Promise<{ seconds: number; rows: number }> {
  const kafka = createKafka(settings, logger);
  const admin = kafka.admin();
  await admin.connect();
  const topic = `benchrebuild${Date.now()}.changes`;
  await ensureTopics(admin, [{ topic, numPartitions: 1, configEntries: [] }]);
  console.log(`writing ${REBUILD.toLocaleString('en')} snapshot reads to ${topic}…`);
  await writeLog(kafka, topic, (function* () {
    for (let i = 0; i < REBUILD; i++) yield record('people', 'r', { ...personRow(i, 0), id: i });
  })());
  const [end] = await admin.fetchTopicOffsets(topic);
  const last = Number(end!.high) - 1;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reativa-bench-rebuild-'));
  const storeDir = path.join(dir, topic);
  const store = ChangeStore.open(storeDir, { indexes: CHILD_INDEXES });
  const applier = new StateApplier(kafka, store, logger, { logTopic: topic, groupPrefix: `bench-${Date.now()}`, sessionTimeoutMs: 30_000, historyMs: 7 * 86_400_000 }, (error) => {
    throw error;
  });
  const t = performance.now();
  await applier.start();
  await applier.reached(last);
  const seconds = (performance.now() - t) / 1000;
  await applier.stop();
  const rows = store.liveRows('people');
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  return { seconds, rows };
}

async function main() {
  await createStack(settings, (line) => console.log(line)).up();
  const pool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 4 });
  const lmdb: Result[] = [];
  const postgres: Result[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const side of round % 2 ? (['lmdb', 'postgres'] as const) : (['postgres', 'lmdb'] as const)) {
      const r = side === 'lmdb' ? await lmdbRound() : await postgresRound(pool);
      (side === 'lmdb' ? lmdb : postgres).push(r);
      console.log(`round ${round} ${side.padEnd(8)} apply ${Math.round(r.applyPerSecond)}/s, read at the head ${Math.round(r.readHeadPerSecond)}/s, in the past ${Math.round(r.readPastPerSecond)}/s`);
    }
  }
  await pool.end();
  const built = await rebuild();
  console.log(`rebuilt ${built.rows} rows in ${built.seconds.toFixed(1)} s`);

  const row = (label: string, pick: (r: Result) => number, unit: string) =>
    `| ${label} | ${Math.round(median(lmdb.map(pick))).toLocaleString('en')} ${unit} (worst ${Math.round(Math.min(...lmdb.map(pick))).toLocaleString('en')}) | ${Math.round(median(postgres.map(pick))).toLocaleString('en')} ${unit} (worst ${Math.round(Math.min(...postgres.map(pick))).toLocaleString('en')}) |`;
  recordBenchmark('State store', [
    `Command: \`npm run bench:state -- --rows ${N} --rebuild ${REBUILD} --rounds ${ROUNDS}\`, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `Method, choice of store: the same workload on both candidates, ${ROUNDS} alternating rounds, medians (and the worst round): apply ${N.toLocaleString('en')} row changes (versions of ${KEYS.toLocaleString('en')} people rows, keyed by log offset) in batches of ${BATCH.toLocaleString('en')}, one transaction each; then read ${N.toLocaleString('en')} rows as of a position, in batches of ${BATCH.toLocaleString('en')}. LMDB is Reativa's store (lmdb-js, synchronous reads, one write transaction per batch, the newest version looked up with one get, an older one by walking back the row's chain of versions, one get each). PostgreSQL is Reativa's own database on this machine, the same layout as a table, written with \`unnest()\` and read with one query per batch (a lateral newest-version-before-the-offset lookup per key), which is the fewest round trips the mapper could make.`,
    '',
    '| measure | LMDB | PostgreSQL |',
    '|---|---|---|',
    row('apply', (r) => r.applyPerSecond, 'rows/s'),
    row('read as of the head (the newest version)', (r) => r.readHeadPerSecond, 'rows/s'),
    row('read as of an earlier position (an older version)', (r) => r.readPastPerSecond, 'rows/s'),
    '',
    `Method, rebuild: ${REBUILD.toLocaleString('en')} snapshot reads of people rows in a change log of their own; an empty store and the real applier (through Kafka, one LMDB transaction per fetched batch) until the store holds the last offset. This is what a new mapper host, a hot standby started empty, or a store lost with its disk, costs.`,
    '',
    '| measure | result |',
    '|---|---|',
    `| rows rebuilt | ${built.rows.toLocaleString('en')} |`,
    `| **rebuild time** | **${built.seconds.toFixed(1)} s** (${Math.round(built.rows / built.seconds).toLocaleString('en')} rows/s) |`,
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
