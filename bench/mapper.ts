// npm run bench:mapper [-- --changes N]
// Pre-fills change topics of their own with N Debezium change events (mixed
// kinds, referring to rows seeded in the ERP database), then runs the real
// mapper over them and reports sustained changes/s end to end and the time
// spent per stage (decode, enrich, map, encode, produce). The result is
// written to docs/benchmarks.md with the machine it ran on.
import { parseArgs } from 'node:util';
import { Partitioners } from 'kafkajs';
import pg from 'pg';
import { CAPTURED_TABLES, changeTopic } from '../src/capture/tables.js';
import { createErpPool } from '../src/db/erp-enrichment.js';
import { createKafka } from '../src/kafka/client.js';
import { sendAll } from '../src/kafka/produce.js';
import { createRegistry } from '../src/kafka/registry.js';
import { createLogger } from '../src/log.js';
import { startMapper } from '../src/stages/mapper.js';
import { loadSettings } from '../src/settings.js';
import { createStack } from '../src/stack/stack.js';
import { waitFor } from '../src/util/wait.js';
import { UnrecoverableError } from '../src/errors/unrecoverable-error.js';
import { recordBenchmark } from './report.js';

const { values } = parseArgs({ options: { changes: { type: 'string', default: '100000' } } });
const N = Number(values.changes);
const settings = loadSettings();
const logger = createLogger('warn');
const SEED = { contracts: 2000, integrators: 10, products: 40, patrimonies: 200, solicitations: 500, titles: 2000 };

async function seed(pool: pg.Pool) {
  const q = (sql: string) => pool.query<{ min: string; max: string }>(sql);
  const range = async (sql: string) => {
    const { rows } = await q(`WITH ins AS (${sql} RETURNING id) SELECT min(id)::text AS min, max(id)::text AS max FROM ins`);
    return { min: Number(rows[0]!.min), max: Number(rows[0]!.max) };
  };
  const stamp = Date.now();
  const company = await range(`INSERT INTO companies (name, tx_id) VALUES ('Bench ISP', '12.123.123/0001-14')`);
  const people = await range(`INSERT INTO people (name, email, phone, cell_phone) SELECT 'Cliente ' || g, 'c' || g || '@example.com', '(11)3333-4444', '(11)99999-0000' FROM generate_series(1, ${SEED.contracts}) g`);
  const integrators = await range(`INSERT INTO integrators (alias, version) SELECT 'bench-${stamp}-' || g, 3 FROM generate_series(1, ${SEED.integrators}) g`);
  const products = await range(`INSERT INTO service_products (title, uses_streaming, integrator_id, integration_code) SELECT 'SVA ' || g, true, ${integrators.min} + (g % ${SEED.integrators}), 'CODE-' || g FROM generate_series(1, ${SEED.products}) g`);
  const contracts = await range(`INSERT INTO contracts (company_id, client_id, contract_number, stage, status) SELECT ${company.min}, ${people.min} + g - 1, 'B-${stamp}-' || g, 'approved', 'normal' FROM generate_series(1, ${SEED.contracts}) g`);
  await q(`INSERT INTO contract_services (contract_id, service_product_id) SELECT ${contracts.min} + g - 1, ${products.min} + (g % ${SEED.products}) FROM generate_series(1, ${SEED.contracts}) g`);
  const patrimonies = await range(`INSERT INTO patrimonies (serial_number, integrator_id) SELECT 'SN-' || g, ${integrators.min} + (g % ${SEED.integrators}) FROM generate_series(1, ${SEED.patrimonies}) g`);
  const solicitations = await range(`INSERT INTO solicitations (company_id, contract_id, client_id, protocol) SELECT ${company.min}, ${contracts.min} + (g % ${SEED.contracts}), ${people.min} + (g % ${SEED.contracts}), 'P-' || g FROM generate_series(1, ${SEED.solicitations}) g`);
  const titles = await range(`INSERT INTO receivable_titles (company_id, contract_id, client_id, title_number, issue_date, due_date, amount) SELECT ${company.min}, ${contracts.min} + (g % ${SEED.contracts}), ${people.min} + (g % ${SEED.contracts}), 'T-' || g, '2026-11-01', '2026-11-10', 99.90 FROM generate_series(1, ${SEED.titles}) g`);
  return { company: company.min, people, products, contracts, patrimonies, solicitations, titles };
}

type Seeded = Awaited<ReturnType<typeof seed>>;

/** One synthetic Debezium change, as the connector would write it; `i` picks the kind. */
function syntheticChange(i: number, s: Seeded, prefix: string): { topic: string; key: string; value: string } {
  const pick = (r: { min: number; max: number }) => r.min + (i % (r.max - r.min + 1));
  const contractId = pick(s.contracts);
  const base = { schema: 'public', db: 'erp', connector: 'postgresql', name: prefix, version: '3.6.1.Final', snapshot: 'false', ts_ms: Date.now(), txId: 1000 + i, lsn: 10_000_000 + i * 64 };
  const contract = { id: contractId, company_id: s.company, client_id: s.people.min + (contractId - s.contracts.min), contract_number: `B-${i}`, stage: 'approved', status: 'normal', billing_period: 10, negotiation_id: null, updated_at: '2026-11-29T12:00:00Z' };
  const slot = i % 20;
  const [table, op, before, after] = ((): [string, string, object | null, object] => {
    if (slot < 6) return ['contracts', 'u', contract, { ...contract, status: slot % 2 ? 'suspended' : 'normal' }];
    if (slot < 9) return ['contract_services', 'c', null, { id: 1_000_000 + i, contract_id: contractId, service_product_id: pick(s.products), created_at: '2026-11-29T12:00:00Z' }];
    if (slot < 11) return ['contract_patrimonies', 'c', null, { id: 1_000_000 + i, contract_id: contractId, patrimony_id: pick(s.patrimonies), linked_at: '2026-11-29T12:00:00Z' }];
    if (slot < 13) return ['contract_connections', 'c', null, { id: 1_000_000 + i, contract_id: contractId, login: `u${i}`, ip_address: '100.64.0.1', mac_address: null, active: true }];
    if (slot < 15) return ['solicitations', 'c', null, { id: 1_000_000 + i, company_id: s.company, contract_id: contractId, client_id: contract.client_id, protocol: `P${i}`, subject: 'x', status: 'open' }];
    if (slot < 16) return ['reports', 'c', null, { id: 1_000_000 + i, solicitation_id: pick(s.solicitations), description: 'relato', created_at: '2026-11-29T12:00:00Z' }];
    if (slot < 18) return ['receivable_titles', 'c', null, { id: 1_000_000 + i, company_id: s.company, contract_id: contractId, client_id: contract.client_id, title_number: `T${i}`, issue_date: 20786, due_date: 20796, amount: '99.90', status: 'open' }];
    if (slot < 19) return ['title_receipts', 'c', null, { id: 1_000_000 + i, receivable_title_id: pick(s.titles), receipt_date: 20790, amount_paid: '99.90', payment_method: 'pix' }];
    return ['electronic_signatures', 'c', null, { id: 1_000_000 + i, contract_id: contractId, code: `S${i}`, signer_name: 'Maria', email: 'm@example.com', phone: null, url: null, status: 2 }];
  })();
  const row = after ?? before;
  return {
    topic: changeTopic(prefix, table),
    key: JSON.stringify({ id: (row as { id: number }).id }),
    value: JSON.stringify({ before, after, source: { ...base, table }, op, ts_ms: Date.now() }),
  };
}

async function main() {
  await createStack(settings, (line) => console.log(line)).up();
  const kafka = createKafka(settings, logger);
  const admin = kafka.admin();
  await admin.connect();
  const run = `bench${Date.now()}`;
  const triggersTopic = `${run}.triggers`;
  const dlqTopic = `${run}.triggers.dlq`;
  const changeTopics = CAPTURED_TABLES.map((t) => changeTopic(run, t));
  await admin.createTopics({
    topics: [...changeTopics, triggersTopic, dlqTopic].map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
    waitForLeaders: true,
  });

  const pool = new pg.Pool({ connectionString: settings.erpDatabaseUrl });
  console.log(`seeding the ERP database…`);
  const seeded = await seed(pool);
  await pool.end();

  console.log(`pre-filling ${N} changes…`);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let start = 0; start < N; start += 5000) {
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (let i = start; i < Math.min(N, start + 5000); i++) {
      const c = syntheticChange(i, seeded, run);
      byTopic.set(c.topic, [...(byTopic.get(c.topic) ?? []), { key: c.key, value: c.value }]);
    }
    await sendAll(producer, [...byTopic].map(([topic, messages]) => ({ topic, messages })));
  }
  await producer.disconnect();

  console.log('mapping…');
  const erpPool = createErpPool(settings.erpDatabaseUrl);
  const started = performance.now();
  let fatal: Error | undefined;
  const mapper = await startMapper(kafka, createRegistry(settings.schemaRegistryUrl), erpPool, logger, {
    onFatal: (error) => {
      fatal = error;
    },
    topicPrefix: run,
    groupId: `${run}-mapper`,
    triggersTopic,
    dlqTopic,
  });
  await waitFor('the mapper to drain the topics', async () => {
    if (fatal) throw new UnrecoverableError('the mapper stopped', { cause: fatal });
    return mapper.stats.changes >= N;
  }, {
    timeoutMs: 30 * 60_000,
    intervalMs: 100,
    onWaiting: () => console.log(`  ${mapper.stats.changes}/${N} changes`),
  });
  const seconds = (performance.now() - started) / 1000;
  const stats = structuredClone(mapper.stats);
  await mapper.stop();
  await erpPool.end();
  await admin.deleteTopics({ topics: [...changeTopics, triggersTopic, dlqTopic] }).catch(() => undefined);
  await admin.disconnect();

  const rate = Math.round(N / seconds);
  const perStage = Object.entries(stats.ms).map(([stage, ms]) => `${stage} ${(ms / 1000).toFixed(1)} s (${Math.round((N / ms) * 1000).toLocaleString('en')}/s)`);
  console.log(`${N} changes → ${stats.events} events, ${stats.deadLetters} dead letters, in ${seconds.toFixed(1)} s: ${rate} changes/s`);
  console.log(`per stage (summed over partitions processed concurrently): ${perStage.join(', ')}`);
  console.log(`batches ${stats.batches}, enrichment queries ${stats.enrichmentQueries} (${(stats.enrichmentQueries / stats.batches).toFixed(1)} per batch)`);

  recordBenchmark('Mapper', [
    `Command: \`npm run bench:mapper -- --changes ${N}\`, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `Method: ${N.toLocaleString('en')} synthetic Debezium change events (30% contract updates, half of them saves that change nothing and so produce nothing; 15% service additions, 10% each patrimony links, connections, solicitations and titles, 5% each reports, receipts and signatures) are written to change topics of their own (3 partitions each), referring to ${SEED.contracts.toLocaleString('en')} contracts seeded in the ERP database. The real mapper (one process, one consumer group) then reads them from the beginning: decode, batched enrichment from PostgreSQL, mapping, Avro encoding through the registry and produce with acks=all, committing after each batch. Time runs from the mapper's start until every change is committed.`,
    '',
    '| measure | result |',
    '|---|---|',
    `| changes | ${N.toLocaleString('en')} |`,
    `| trigger events produced | ${stats.events.toLocaleString('en')} |`,
    `| dead letters | ${stats.deadLetters} |`,
    `| wall time | ${seconds.toFixed(1)} s |`,
    `| **sustained rate** | **${rate.toLocaleString('en')} changes/s** (target ≥ 5,000) |`,
    `| batches / enrichment queries | ${stats.batches.toLocaleString('en')} / ${stats.enrichmentQueries.toLocaleString('en')} (${(stats.enrichmentQueries / stats.batches).toFixed(1)} per batch) |`,
    ...Object.entries(stats.ms).map(([stage, ms]) => `| stage: ${stage} | ${(ms / 1000).toFixed(1)} s, ${Math.round((N / ms) * 1000).toLocaleString('en')} changes/s |`),
    '',
    'Stage times are summed over the partitions the mapper processes concurrently, so they can add up to more than the wall time.',
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
