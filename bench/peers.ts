// npm run bench:peers [-- --rate 200 --seconds 30 --burst 20000 --rounds 3 --warmup 20]
// Reativa's whole path next to the peer a user would pick instead: Debezium
// Server with its HTTP sink, which posts each change straight from PostgreSQL's
// log to a URL (no Kafka, no mapping, no routing, no retries beyond its own).
// Both run against the embedded stack's PostgreSQL, in the same run, with the
// same load, and post to an HTTP receiver in this process, which also writes
// to the ERP:
//   1. Steady load: `rate` contracts a second, each in its own transaction, for
//      `seconds`; latency per change from the commit's return to the receipt.
//   2. A burst: `burst` receivable titles in one transaction (a billing run);
//      time from the commit to the last receipt.
// Rounds alternate the order of the contenders (D R, R D, …); the table gives
// the medians over the rounds. Results go to docs/benchmarks.md.
//
// Debezium Server reads a table set of its own (bench_peers.contracts and
// bench_peers.receivable_titles, copies of the ERP's tables with the same
// columns, defaults, checks and foreign keys) through its own publication and
// replication slot, so neither ever sees the other's traffic and Reativa's
// slot, publication and connector are left alone. Its distribution (about
// 780 MB) is fetched with Maven into .stack/peers/ the first time, by this
// script only: never by CI or the tests.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createKafka } from '../src/kafka/client.js';
import { createLogger } from '../src/log.js';
import { loadSettings } from '../src/settings.js';
import { findJava, findMaven } from '../src/stack/prerequisites.js';
import { createStack } from '../src/stack/stack.js';
import { sleep, waitFor } from '../src/util/wait.js';
import { benchErp, billingRun, erpWebhook, latencies as commitToReceipt, median, partner, type LatencySummary, type Partner, type ReativaProcess, startReativa, steadyWrites, summarize } from './common.js';
import { recordBenchmark } from './report.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    burst: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    // Unmeasured steady load for each contender first: the JVMs' JIT and the pools warm up.
    warmup: { type: 'string', default: '20' },
    // 3.6.1.Final, the connector version the stack runs, is not published as a
    // Debezium Server distribution on Maven Central (its metadata lists 3.0.0.Final
    // and 3.6.0.Final): the nearest release is the default.
    'debezium-server': { type: 'string', default: '3.6.0.Final' },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const BURST = Number(values.burst);
const ROUNDS = Number(values.rounds);
const WARMUP = Number(values.warmup);
const DBZ_VERSION = values['debezium-server'];
const settings = loadSettings();
const logger = createLogger('warn');

const PEERS_DIR = path.join(settings.stackDir, 'peers');
/** Debezium Server's own names in the ERP database: made at the start, dropped at the end. */
const SCHEMA = 'bench_peers';
const SLOT = 'reativa_bench_peers';
const PUBLICATION = 'reativa_bench_peers';
const TABLES = ['contracts', 'receivable_titles'] as const;

/**
 * The Debezium Server distribution, unpacked under .stack/peers/ (git-ignored):
 * fetched with Maven into a local repository of its own, which is deleted once
 * unpacked so the archive does not stay twice on disk (nor in ~/.m2).
 */
async function ensureDebeziumServer(): Promise<string> {
  const home = path.join(PEERS_DIR, `debezium-server-${DBZ_VERSION}`);
  const runner = path.join(home, `debezium-server-dist-${DBZ_VERSION}-runner.jar`);
  if (fs.existsSync(runner)) return home;
  const mvn = findMaven();
  if (!mvn.ok) throw new Error(`${mvn.problem}: ${mvn.fix}`);
  const download = path.join(PEERS_DIR, 'download');
  const repo = path.join(PEERS_DIR, 'm2');
  console.log(`fetching io.debezium:debezium-server-dist:${DBZ_VERSION} (tar.gz, about 780 MB) from Maven Central into ${PEERS_DIR} (first run only)…`);
  const started = Date.now();
  await run(mvn.value, ['-B', '-q', '-Dstyle.color=never', 'dependency:copy', `-Dartifact=io.debezium:debezium-server-dist:${DBZ_VERSION}:tar.gz`, `-DoutputDirectory=${download}`, `-Dmaven.repo.local=${repo}`]);
  const staging = `${home}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  await run('tar', ['xzf', path.join(download, `debezium-server-dist-${DBZ_VERSION}.tar.gz`), '--strip-components=1', '-C', staging]);
  // Renamed only once complete: an interrupted unpack is never taken for a cache hit.
  fs.renameSync(staging, home);
  fs.rmSync(download, { recursive: true, force: true });
  fs.rmSync(repo, { recursive: true, force: true });
  console.log(`  Debezium Server ${DBZ_VERSION} ready (${Math.round((Date.now() - started) / 1000)} s)`);
  return home;
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} ${args[0] ?? ''} exited with ${code}`))));
  });
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** A .properties value: backslashes, line breaks and leading blanks escaped. */
const property = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/^\s/, (c) => `\\${c}`);

/**
 * The ERP side of Debezium Server: its tables, copies of the ERP's (columns,
 * defaults, checks, indexes and the same foreign keys, so a write costs the
 * same), and its publication. Anything of an earlier run that died is dropped
 * first; its slot too, unless a running Debezium Server still holds it.
 */
async function prepareErp(erp: pg.Pool): Promise<void> {
  await dropErpSide(erp);
  await erp.query(`CREATE SCHEMA ${SCHEMA}`);
  for (const table of TABLES) {
    await erp.query(`CREATE TABLE ${SCHEMA}.${table} (LIKE public.${table} INCLUDING ALL)`);
    const { rows } = await erp.query<{ def: string }>("SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'", [`public.${table}`]);
    for (const { def } of rows) await erp.query(`ALTER TABLE ${SCHEMA}.${table} ADD ${def}`);
  }
  await erp.query(`CREATE PUBLICATION ${PUBLICATION} FOR TABLE ${TABLES.map((t) => `${SCHEMA}.${t}`).join(', ')}`);
}

/** Drops the slot (once no process holds it), the publication and the tables. */
async function dropErpSide(erp: pg.Pool): Promise<void> {
  const { rows } = await erp.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [SLOT]);
  if (rows[0]?.active) {
    // A walsender lingers a moment after its client exits; a live one is another run's.
    await waitFor(`replication slot ${SLOT} to be released (is another bench:peers running?)`, async () => {
      const { rows: now } = await erp.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [SLOT]);
      return now[0]?.active !== true;
    }, { timeoutMs: 30_000, intervalMs: 200 });
  }
  await erp.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [SLOT]);
  await erp.query(`DROP PUBLICATION IF EXISTS ${PUBLICATION}`);
  await erp.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
}

interface DebeziumServer {
  readonly child: ChildProcess;
  readonly log: string;
  stop(): Promise<void>;
}

/** Debezium Server with the PostgreSQL source (pgoutput) and the HTTP sink posting to `url`. */
async function startDebeziumServer(home: string, url: string): Promise<DebeziumServer> {
  const java = findJava(21, settings.registryJavaHome);
  if (!java.ok) throw new Error(`Debezium Server ${DBZ_VERSION} needs Java 21+: ${java.problem}; ${java.fix}`);
  // Its working directory: Quarkus reads config/application.properties from there.
  const dir = path.join(PEERS_DIR, 'run');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
  const db = new URL(settings.erpSuperuserDatabaseUrl);
  const config: Record<string, string> = {
    'debezium.sink.type': 'http',
    'debezium.sink.http.url': url,
    'debezium.sink.http.timeout.ms': '10000',
    'debezium.format.value': 'json',
    'debezium.format.value.schemas.enable': 'false',
    'debezium.format.key.schemas.enable': 'false',
    'debezium.source.connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'debezium.source.offset.storage.file.filename': path.join(dir, 'offsets.dat'),
    'debezium.source.offset.flush.interval.ms': '0',
    'debezium.source.database.hostname': db.hostname,
    'debezium.source.database.port': db.port || '5432',
    // The stack's superuser, as the benchmark's ERP writes: it has REPLICATION.
    'debezium.source.database.user': decodeURIComponent(db.username),
    'debezium.source.database.password': decodeURIComponent(db.password),
    'debezium.source.database.dbname': db.pathname.slice(1),
    'debezium.source.topic.prefix': 'benchpeers',
    'debezium.source.plugin.name': 'pgoutput',
    'debezium.source.slot.name': SLOT,
    'debezium.source.publication.name': PUBLICATION,
    'debezium.source.publication.autocreate.mode': 'disabled',
    'debezium.source.table.include.list': TABLES.map((t) => `${SCHEMA}.${t}`).join(','),
    // Streams from now on: the tables are empty anyway.
    'debezium.source.snapshot.mode': 'no_data',
    // The same knobs as Reativa's connector (connectors/erp-postgres.json).
    'debezium.source.poll.interval.ms': '10',
    'debezium.source.max.batch.size': '8192',
    'debezium.source.max.queue.size': '65536',
    'debezium.source.decimal.handling.mode': 'string',
    'quarkus.http.host': '127.0.0.1',
    'quarkus.http.port': String(await freePort()),
    'quarkus.log.console.json': 'false',
  };
  fs.writeFileSync(path.join(dir, 'config', 'application.properties'), Object.entries(config).map(([k, v]) => `${k}=${property(v)}`).join('\n') + '\n');
  const log = path.join(dir, 'debezium-server.log');
  const out = fs.openSync(log, 'w');
  // What run.sh does, without its JMX and metrics agents.
  const classpath = [path.join(home, `debezium-server-dist-${DBZ_VERSION}-runner.jar`), path.join(home, 'config', 'lib'), path.join(home, 'lib', '*')].join(':');
  // The runner jar's manifest asks for these, which only `java -jar` would apply.
  const child = spawn(java.value, ['--add-opens', 'java.base/java.lang=ALL-UNNAMED', '--enable-native-access=ALL-UNNAMED', '-cp', classpath, 'io.debezium.server.Main'], { cwd: dir, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

/** A contender: how it is written to and where its receipts land. */
interface Contender {
  readonly name: string;
  readonly insertContract: (number: string) => Promise<unknown>;
  readonly titlesTable: string;
  readonly received: Map<string, number>;
}

interface SteadyResult extends LatencySummary {
  readonly achievedRate: number;
}

async function steadyPhase(c: Contender, seconds = SECONDS): Promise<SteadyResult> {
  const { committed, achievedRate } = await steadyWrites(c.insertContract, RATE, seconds, `steady-${c.name.replace(/\W/g, '')}-${Date.now()}`);
  await waitFor(`every steady change at the receiver (${c.name})`, async () => [...committed.keys()].every((k) => c.received.has(k)), { timeoutMs: 120_000, intervalMs: 100 });
  const summary = summarize(commitToReceipt(committed, c.received));
  console.log(`  ${c.name} steady: ${summary.count} changes at ${achievedRate.toFixed(0)}/s, p50 ${summary.p50.toFixed(0)} ms, p95 ${summary.p95.toFixed(0)} ms, p99 ${summary.p99.toFixed(0)} ms, max ${summary.max.toFixed(0)} ms`);
  return { ...summary, achievedRate };
}

async function burstPhase(erp: pg.Pool, c: Contender): Promise<number> {
  const { commitAt, prefix } = await billingRun(erp, c.titlesTable, BURST);
  const ours = () => [...c.received.entries()].filter(([k]) => k.startsWith(prefix));
  await waitFor(`all ${BURST} titles at the receiver (${c.name})`, async () => ours().length >= BURST, { timeoutMs: 900_000, intervalMs: 200 });
  const seconds = (Math.max(...ours().map(([, at]) => at)) - commitAt) / 1000;
  console.log(`  ${c.name} burst: ${BURST} titles delivered ${seconds.toFixed(1)} s after commit (${Math.round(BURST / seconds)}/s)`);
  return seconds;
}

/** Reativa's title and contract bodies (the standard integration), Debezium's change events: the key of each. */
const reativaKey = (_path: string, body: Record<string, unknown>) =>
  (body.Contract as { ContractNumber?: string } | undefined)?.ContractNumber ?? (body.Title as { TitleNumber?: string } | undefined)?.TitleNumber;
const debeziumKey = (_path: string, body: Record<string, unknown>) => {
  // With schemas.enable=false the event is the bare envelope; accept the wrapped one too.
  const after = ((body.payload as Record<string, unknown> | undefined) ?? body).after as { contract_number?: string; title_number?: string } | null | undefined;
  return after?.contract_number ?? after?.title_number;
};

async function main() {
  await createStack(settings, (line) => console.log(line)).up();
  const home = await ensureDebeziumServer();
  // The benchmark stands for the ERP, writing its rows: the stack's superuser.
  const erp = new pg.Pool({ connectionString: settings.erpSuperuserDatabaseUrl, max: 8 });
  const kafka = createKafka(settings, logger);
  const { company, client } = await benchErp(erp, BURST);
  const insertInto = (table: string) => (number: string) => erp.query(`INSERT INTO ${table} (company_id, client_id, contract_number) VALUES ($1, $2, $3)`, [company, client, number]);

  const receivers: Partner[] = [];
  const hooks: number[] = [];
  let reativa: ReativaProcess | undefined;
  let dbz: DebeziumServer | undefined;
  let cleaned: Promise<void> | undefined;
  // Everything this run started, stopped once, whether it ends, fails or is interrupted.
  const cleanup = () =>
    (cleaned ??= (async () => {
      for (const id of hooks) await erp.query('UPDATE webhooks SET active = false WHERE id = $1', [id]).catch(() => undefined);
      await Promise.all([reativa?.stop(), dbz?.stop()]);
      await dropErpSide(erp).catch((error: unknown) => console.error(`could not drop ${SLOT}, ${PUBLICATION} or ${SCHEMA}; drop them by hand:`, error));
      await Promise.all(receivers.map((r) => r.close()));
      await erp.end();
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`${signal}: stopping what the benchmark started…`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await prepareErp(erp);
    const toReativa = await partner(reativaKey);
    const toDebezium = await partner(debeziumKey);
    receivers.push(toReativa, toDebezium);

    console.log(`starting Debezium Server ${DBZ_VERSION} (HTTP sink)…`);
    dbz = await startDebeziumServer(home, `${toDebezium.url}/debezium`);
    const dbzChild = dbz.child;
    console.log('starting reativa (all stages, one process, as npm start runs it)…');
    reativa = await startReativa(settings, kafka, 'benchpeers');
    await erp.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
    hooks.push(await erpWebhook(erp, `${toReativa.url}/contracts`, 'contracts', 'bench-peers-contracts'));
    hooks.push(await erpWebhook(erp, `${toReativa.url}/titles`, 'title_issuance', 'bench-peers-titles'));

    const contenders: Contender[] = [
      { name: 'Debezium Server', insertContract: insertInto(`${SCHEMA}.contracts`), titlesTable: `${SCHEMA}.receivable_titles`, received: toDebezium.received },
      { name: 'Reativa', insertContract: insertInto('public.contracts'), titlesTable: 'public.receivable_titles', received: toReativa.received },
    ];
    // Ready when a change committed now reaches the receiver.
    for (const c of contenders) {
      await waitFor(`${c.name} to deliver a first change`, async () => {
        if (dbzChild.exitCode !== null) throw new Error(`Debezium Server exited with ${dbzChild.exitCode}; see ${dbz!.log}`);
        await c.insertContract(`warmup-${Date.now()}`);
        await sleep(1000);
        return [...c.received.keys()].some((k) => k.startsWith('warmup-'));
      }, { timeoutMs: 180_000, intervalMs: 10 });
      console.log(`  ${c.name} is delivering`);
    }

    if (WARMUP > 0) {
      console.log(`warm-up: ${WARMUP} s of steady load for each, not counted`);
      for (const c of contenders) await steadyPhase(c, WARMUP);
    }
    // The machine is shared: how busy it was says how far to trust a round.
    const loadBefore = os.loadavg()[0]!;
    const steady = new Map<string, SteadyResult[]>(contenders.map((c) => [c.name, []]));
    const bursts = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? contenders : [...contenders].reverse();
      console.log(`round ${round} of ${ROUNDS}: ${order.map((c) => c.name).join(', then ')}`);
      for (const c of order) steady.get(c.name)!.push(await steadyPhase(c));
      for (const c of order) bursts.get(c.name)!.push(await burstPhase(erp, c));
    }

    const loadAfter = os.loadavg()[0]!;
    const [d, r] = contenders.map((c) => ({ steady: steady.get(c.name)!, bursts: bursts.get(c.name)! })) as [{ steady: SteadyResult[]; bursts: number[] }, { steady: SteadyResult[]; bursts: number[] }];
    const list = (xs: readonly number[], digits = 0) => xs.map((x) => x.toFixed(digits)).join(', ');
    const row = (label: string, pick: (s: SteadyResult) => number) => {
      const [dm, rm] = [median(d.steady.map(pick)), median(r.steady.map(pick))];
      return `| ${label} | ${rm.toFixed(0)} ms (${list(r.steady.map(pick))}) | ${dm.toFixed(0)} ms (${list(d.steady.map(pick))}) |`;
    };
    const [rb, db] = [median(r.bursts), median(d.bursts)];
    recordBenchmark('Peers: Debezium Server (HTTP sink)', [
      `Command: \`npm run bench:peers -- --rate ${RATE} --seconds ${SECONDS} --burst ${BURST} --rounds ${ROUNDS} --warmup ${WARMUP}\`, ${new Date().toISOString().slice(0, 10)}.`,
      '',
      `Method: the peer a user would pick instead of Reativa for the whole path is Debezium Server (io.debezium:debezium-server-dist ${DBZ_VERSION}, the Debezium Server release on Maven Central nearest the stack's 3.6.1.Final connector) with the PostgreSQL source (pgoutput) and the HTTP sink, which posts each change event, one request at a time, straight from the ERP's log to a URL: no Kafka, no mapping, no routing, no configuration from the ERP, no retry topics or dead letters. It runs on Java 21+ with the connector knobs Reativa's connector uses (poll interval 10 ms, batches of 8,192) and reads a table set of its own (bench_peers.contracts and bench_peers.receivable_titles, copies of the ERP's tables with their defaults, checks, indexes and foreign keys) through its own publication and replication slot, dropped at the end. Reativa runs as \`reativa start\` runs it (every stage in one process of its own, default settings, a namespace of the benchmark's own whose mapper starts at the change log's end) through the embedded stack's Debezium connector, Kafka and the registry, with two standard-integration webhooks (contract inserts, title issuance). Both post to HTTP receivers in the benchmark process, which also writes to the ERP with the same statements (Debezium Server's tables, Reativa's tables). Latency runs from the moment the ERP transaction's commit returns to the benchmark to the moment the receiver has the body, on this machine's clock. Both contenders run throughout; phases take turns (steady: one contender, then the other; then the bursts), the order alternating between rounds, so each is measured while the other is idle; before the first round each gets ${WARMUP} s of the steady load, not counted (the JVMs' JIT warms up).`,
      '',
      `${ROUNDS} rounds; medians, with every round in brackets. Load average (1 min, both contenders, the stack and anything else on the machine) when the rounds began and ended: ${loadBefore.toFixed(1)} and ${loadAfter.toFixed(1)}.`,
      '',
      '| measure | Reativa (whole path) | Debezium Server (HTTP sink) |',
      '|---|---|---|',
      `| steady load, contracts/s achieved (one transaction each, ${SECONDS} s) | ${list(r.steady.map((s) => s.achievedRate))} | ${list(d.steady.map((s) => s.achievedRate))} |`,
      row('commit → receipt p50', (s) => s.p50),
      row('commit → receipt p95', (s) => s.p95),
      row('commit → receipt p99', (s) => s.p99),
      row('commit → receipt max', (s) => s.max),
      `| burst: ${BURST.toLocaleString('en')} titles in one transaction, commit → last receipt | **${rb.toFixed(1)} s** (${list(r.bursts, 1)}) | **${db.toFixed(1)} s** (${list(d.bursts, 1)}) |`,
      `| burst, receipts per second | ${Math.round(BURST / rb).toLocaleString('en')} | ${Math.round(BURST / db).toLocaleString('en')} |`,
      '',
      "Reading it: Debezium Server's HTTP sink posts the raw change event (the row's columns, before and after, and the log position) to one URL, one request at a time, as soon as the connector hands it over; Reativa's path adds the hops through Kafka (Connect → change log → mapper → triggers → routing → deliveries → delivery) and in return sends the partner's body built from the ERP as it was at the change, to every webhook configured in the ERP, in order per contract, with retries, parking, dead letters and alerts. The steady-load difference is mostly the price of those hops.",
      '',
      'Delivery-stage peer (a Kafka Connect HTTP sink connector on the embedded Connect worker, next to `bench:delivery`): none could be fetched from Maven Central here, so there is no such contender. Tried, each once with `mvn dependency:get`: `io.aiven:http-connector-for-apache-kafka` (no maven-metadata.xml; 0.7.0: "Could not find artifact"), `org.apache.camel.kafkaconnector:camel-http-sink-kafka-connector` (no maven-metadata.xml; 4.14.0: "Could not find artifact"), `io.github.clescot:kafka-connect-http-connectors` 0.8.84 (its POM resolves, but not its parent `io.github.clescot:kafka-connect-http:pom:0.8.84`, and it needs `io.confluent` artifacts, which are not on Maven Central). Debezium Server `io.debezium:debezium-server-dist:3.6.1.Final`: "was not found" (hence 3.6.0.Final).',
    ]);
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
