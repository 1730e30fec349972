// npm run bench:mapper [-- --changes N]
// Pre-fills a change log of its own (one partition, as Debezium writes it) with
// snapshot reads of a seeded ERP and then N business changes, and runs the real
// mapper over it with a fresh state store: the applier builds the store from
// the log, the emitter maps every change from the state as of its offset,
// encodes Avro and produces with acks=all, committing after each batch. Reports
// sustained changes/s end to end and the time per step, in docs/benchmarks.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UnrecoverableError } from '../src/errors/unrecoverable-error.js';
import { createKafka } from '../src/kafka/client.js';
import { createRegistry } from '../src/kafka/registry.js';
import { ensureTopics, reativaTopics, reativaTopicSpecs } from '../src/kafka/topics.js';
import { createLogger } from '../src/log.js';
import { startMapper, type MapperStats } from '../src/stages/mapper/runner.js';
import { loadSettings } from '../src/settings.js';
import { createStack } from '../src/stack/stack.js';
import { waitFor } from '../src/util/wait.js';
import { recordBenchmark } from './report.js';
import { changeRecord, SEED, seedRecords, writeLog } from './synthetic-log.js';

const { values } = parseArgs({ options: { changes: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' } } });
const N = Number(values.changes);
const ROUNDS = Number(values.rounds);
const settings = loadSettings();
const logger = createLogger('warn');

function* changes() {
  for (let i = 0; i < N; i++) yield changeRecord(i);
}

interface Round {
  readonly seconds: number;
  readonly total: number;
  readonly seeded: number;
  readonly stats: MapperStats;
  /** The state store's size on disk when the round ended (data.mdb, allocated bytes). */
  readonly storeBytes: number;
}

/** Bytes allocated on disk to the files under `dir` (an LMDB file may be sparse). */
function allocatedBytes(dir: string): number {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += fs.statSync(path.join(entry.parentPath, entry.name)).blocks * 512;
  }
  return bytes;
}

/** One round: a fresh change log, a fresh store, the real mapper until every record is committed. */
async function round(kafka: ReturnType<typeof createKafka>): Promise<Round> {
  const admin = kafka.admin();
  await admin.connect();
  const run = `bench${Date.now()}`;
  const topics = reativaTopics(run);
  const logTopic = `${run}.changes`;
  await ensureTopics(admin, [{ topic: logTopic, numPartitions: 1, configEntries: [] }, ...reativaTopicSpecs(topics)]);
  console.log('pre-filling the change log…');
  const seeded = await writeLog(kafka, logTopic, seedRecords());
  await writeLog(kafka, logTopic, changes());
  const total = seeded + N;

  console.log('mapping…');
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reativa-bench-state-'));
  const started = performance.now();
  let fatal: Error | undefined;
  const mapper = await startMapper(kafka, createRegistry(settings.schemaRegistryUrl), logger, {
    topicPrefix: run,
    stateDir,
    groupId: `${run}-mapper`,
    logTopic,
    topics,
    onFatal: (error) => {
      fatal = error;
    },
  });
  await waitFor('the mapper to drain the change log', async () => {
    if (fatal) throw new UnrecoverableError('the mapper stopped', { cause: fatal });
    return mapper.stats.changes >= total;
  }, { timeoutMs: 30 * 60_000, intervalMs: 100 });
  const seconds = (performance.now() - started) / 1000;
  const stats = structuredClone(mapper.stats);
  await mapper.stop();
  const storeBytes = allocatedBytes(stateDir);
  fs.rmSync(stateDir, { recursive: true, force: true });
  await admin.deleteTopics({ topics: [logTopic, ...reativaTopicSpecs(topics).map((s) => s.topic)] }).catch(() => undefined);
  await admin.disconnect();
  console.log(`${total} records (${seeded} snapshot reads, ${N} changes) → ${stats.events} events, ${stats.deadLetters} dead letters, in ${seconds.toFixed(1)} s: ${Math.round(total / seconds)} changes/s`);
  console.log(`emitter steps: ${Object.entries(stats.ms).map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`).join(', ')}; state applier ${(stats.state.ms / 1000).toFixed(1)} s for ${stats.state.applied} rows in ${stats.state.batches} batches; store ${(storeBytes / 1e6).toFixed(1)} MB`);
  return { seconds, total, seeded, stats, storeBytes };
}

async function main() {
  await createStack(settings, (line) => console.log(line)).up();
  const kafka = createKafka(settings, logger);
  const rounds: Round[] = [];
  for (let i = 1; i <= ROUNDS; i++) {
    console.log(`round ${i} of ${ROUNDS}`);
    rounds.push(await round(kafka));
  }
  const rates = rounds.map((r) => r.total / r.seconds).sort((a, b) => a - b);
  const median = rounds[rounds.map((r) => r.total / r.seconds).indexOf(rates[Math.floor(rates.length / 2)]!)]!;
  const { stats, total, seeded, seconds, storeBytes } = median;
  const rate = (n: number) => Math.round(n).toLocaleString('en');
  console.log(`rounds: ${rates.map(rate).join(', ')} changes/s; median ${rate(total / seconds)}, worst ${rate(rates[0]!)}`);

  recordBenchmark('Mapper', [
    `Command: \`npm run bench:mapper -- --changes ${N} --rounds ${ROUNDS}\`, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `Method: a change log of its own (one partition, records as Debezium's topic router writes them) is pre-filled with ${seeded.toLocaleString('en')} snapshot reads of a seeded ERP (${SEED.contracts.toLocaleString('en')} contracts with their clients and services, the catalogue, solicitations and titles) and then ${N.toLocaleString('en')} business changes (30% contract updates, half of them saves that change nothing and so produce nothing; 15% service additions, 10% each patrimony links, connections, solicitations and titles, 5% each reports, receipts and signatures). The real mapper then starts with an empty state store: its applier builds the store from the log while its emitter maps each change from the state as of the change's offset, encodes Avro and produces with acks=all, committing after each batch. No database is read. Time runs from the mapper's start until every record is committed. ${ROUNDS} rounds, each on a fresh log and store; the table shows the median round, and the worst.`,
    '',
    '| measure | result |',
    '|---|---|',
    `| records per round (snapshot reads + changes) | ${total.toLocaleString('en')} |`,
    `| trigger events produced | ${stats.events.toLocaleString('en')} |`,
    `| dead letters | ${stats.deadLetters} |`,
    `| rounds | ${rates.map(rate).join(', ')} changes/s |`,
    `| **sustained rate** | **${rate(total / seconds)} changes/s** median, **${rate(rates[0]!)}** worst (target ≥ 10,000) |`,
    `| state applier (median round) | ${stats.state.applied.toLocaleString('en')} rows in ${stats.state.batches.toLocaleString('en')} transactions, ${(stats.state.ms / 1000).toFixed(1)} s |`,
    `| state store on disk at the end (median round) | ${(storeBytes / 1e6).toFixed(1)} MB |`,
    ...Object.entries(stats.ms).map(([step, ms]) => `| emitter (median round): ${step} | ${(ms / 1000).toFixed(1)} s |`),
    '',
    '`waitState` is the time the emitter waited for the store to hold a batch. Without Kafka headers on the events (the ids are in the record) producing costs a third less; the applier shares the emitter\'s thread (a worker thread of its own bought a fifth more before rows were stored with shared structures, 5 % after, for 30–40 MB more memory).',
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
