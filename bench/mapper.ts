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
import { createKafka, kafkaConnection } from '../src/kafka/client.js';
import { createRegistry } from '../src/kafka/registry.js';
import { ensureTopics, reativaTopics, reativaTopicSpecs } from '../src/kafka/topics.js';
import { createLogger } from '../src/log.js';
import { startMapper } from '../src/stages/mapper/runner.js';
import { loadSettings } from '../src/settings.js';
import { createStack } from '../src/stack/stack.js';
import { waitFor } from '../src/util/wait.js';
import { recordBenchmark } from './report.js';
import { changeRecord, SEED, seedRecords, writeLog } from './synthetic-log.js';

const { values } = parseArgs({ options: { changes: { type: 'string', default: '100000' } } });
const N = Number(values.changes);
const settings = loadSettings();
const logger = createLogger('warn');

function* changes() {
  for (let i = 0; i < N; i++) yield changeRecord(i);
}

async function main() {
  await createStack(settings, (line) => console.log(line)).up();
  const kafka = createKafka(settings, logger);
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
    connection: kafkaConnection(settings),
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
  }, {
    timeoutMs: 30 * 60_000,
    intervalMs: 100,
    onWaiting: () => console.log(`  ${mapper.stats.changes}/${total} records`),
  });
  const seconds = (performance.now() - started) / 1000;
  const stats = structuredClone(mapper.stats);
  await mapper.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
  await admin.deleteTopics({ topics: [logTopic, ...reativaTopicSpecs(topics).map((s) => s.topic)] }).catch(() => undefined);
  await admin.disconnect();

  const rate = Math.round(total / seconds);
  const steps = Object.entries(stats.ms).map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`);
  console.log(`${total} records (${seeded} snapshot reads, ${N} changes) → ${stats.events} events, ${stats.deadLetters} dead letters, in ${seconds.toFixed(1)} s: ${rate} changes/s`);
  console.log(`emitter steps: ${steps.join(', ')}; state applier ${(stats.state.ms / 1000).toFixed(1)} s for ${stats.state.applied} rows in ${stats.state.batches} batches`);

  recordBenchmark('Mapper', [
    `Command: \`npm run bench:mapper -- --changes ${N}\`, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `Method: a change log of its own (one partition, records as Debezium's topic router writes them) is pre-filled with ${seeded.toLocaleString('en')} snapshot reads of a seeded ERP (${SEED.contracts.toLocaleString('en')} contracts with their clients and services, the catalogue, solicitations and titles) and then ${N.toLocaleString('en')} business changes (30% contract updates, half of them saves that change nothing and so produce nothing; 15% service additions, 10% each patrimony links, connections, solicitations and titles, 5% each reports, receipts and signatures). The real mapper then starts with an empty state store: its applier builds the store from the log while its emitter maps each change from the state as of the change's offset, encodes Avro and produces with acks=all, committing after each batch. No database is read. Time runs from the mapper's start until every record is committed.`,
    '',
    '| measure | result |',
    '|---|---|',
    `| records (snapshot reads + changes) | ${total.toLocaleString('en')} |`,
    `| trigger events produced | ${stats.events.toLocaleString('en')} |`,
    `| dead letters | ${stats.deadLetters} |`,
    `| wall time | ${seconds.toFixed(1)} s |`,
    `| **sustained rate** | **${rate.toLocaleString('en')} changes/s** (target ≥ 10,000) |`,
    `| state applier | ${stats.state.applied.toLocaleString('en')} rows in ${stats.state.batches.toLocaleString('en')} transactions, ${(stats.state.ms / 1000).toFixed(1)} s |`,
    ...Object.entries(stats.ms).map(([step, ms]) => `| emitter: ${step} | ${(ms / 1000).toFixed(1)} s |`),
    '',
    'The applier and the emitter read the log concurrently in one process; `waitState` is the time the emitter waited for the store to hold a batch.',
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
