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
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createKafka } from '../src/kafka/client.js';
import { createLogger } from '../src/log.js';
import { loadSettings } from '../src/settings.js';
import { createStack } from '../src/stack/stack.js';
import { sleep, waitFor } from '../src/util/wait.js';
import { benchErp, billingRun, erpWebhook, latencies as commitToReceipt, now, partner, startReativa, steadyWrites, summarize } from './common.js';
import { recordBenchmark } from './report.js';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '60' }, titles: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' } } });
const ROUNDS = Number(values.rounds);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const TITLES = Number(values.titles);
const settings = loadSettings();
const logger = createLogger('warn');

async function main() {
  await createStack(settings, (line) => console.log(line)).up();
  // The benchmark stands for the ERP, writing its rows: the stack's superuser.
  const erp = new pg.Pool({ connectionString: settings.erpSuperuserDatabaseUrl, max: 8 });
  const kafka = createKafka(settings, logger);
  const { company, client } = await benchErp(erp, TITLES);

  const steady = await partner((path, body) => (path === '/steady' ? String((body.Contract as { ContractNumber?: string } | undefined)?.ContractNumber) : undefined));
  const billing = await partner((path, body) => (path === '/billing' ? String((body.Title as { TitleNumber?: string } | undefined)?.TitleNumber) : undefined));

  console.log('starting reativa (all stages, one process, as npm start runs it)…');
  const reativa = await startReativa(settings, kafka, 'benche2e');
  const { topics } = reativa;
  const hooks: number[] = [];
  try {
    // Ready when a change committed now reaches the partner.
    await erp.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
    hooks.push(await erpWebhook(erp, `${steady.url}/steady`, 'contracts', 'bench-e2e-steady'));
    hooks.push(await erpWebhook(erp, `${billing.url}/billing`, 'title_issuance', 'bench-e2e-billing'));
    const insertContract = (number: string) => erp.query('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3)', [company, client, number]);
    await waitFor('reativa to deliver a first change', async () => {
      await insertContract(`warmup-${Date.now()}`);
      await sleep(1000);
      return [...steady.received.keys()].some((k) => k.startsWith('warmup-'));
    }, { timeoutMs: 180_000, intervalMs: 10 });

    // 1. Steady load.
    const steadyRound = async () => {
      console.log(`steady load: ${RATE} changes/s for ${SECONDS} s…`);
      const { committed, achievedRate } = await steadyWrites(insertContract, RATE, SECONDS, `steady-${Date.now()}`);
      await waitFor('every steady change at the partner', async () => [...committed.keys()].every((k) => steady.received.has(k)), { timeoutMs: 120_000, intervalMs: 100 });
      const summary = summarize(commitToReceipt(committed, steady.received));
      console.log(`steady: ${summary.count} changes at ${achievedRate.toFixed(0)}/s, p50 ${summary.p50.toFixed(0)} ms, p95 ${summary.p95.toFixed(0)} ms, p99 ${summary.p99.toFixed(0)} ms, max ${summary.max.toFixed(0)} ms`);
      return { ...summary, achievedRate };
    };

    // 2. A billing run in one transaction.
    const billingRound = async () => {
      console.log(`billing run: ${TITLES} titles in one transaction…`);
      const { commitAt, prefix } = await billingRun(erp, 'receivable_titles', TITLES);
      const ours = () => [...billing.received.entries()].filter(([k]) => k.startsWith(prefix));
      // Where the work is, every second: the change log, triggers and deliveries as they fill.
      const watcher = kafka.admin();
      await watcher.connect();
      const ends = async (topic: string) => (await watcher.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
      const base = { log: await ends(`${settings.topicPrefix}.changes`), triggers: await ends(topics.triggers), deliveries: await ends(topics.deliveries) };
      const progress: string[] = [];
      const ticker = setInterval(() => {
        void Promise.all([ends(`${settings.topicPrefix}.changes`), ends(topics.triggers), ends(topics.deliveries)]).then(([log, triggers, deliveries]) => {
          progress.push(`${((now() - commitAt) / 1000).toFixed(0)} s: log +${log - base.log}, triggers +${triggers - base.triggers}, deliveries +${deliveries - base.deliveries}, received ${ours().length}`);
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
    await reativa.stop();
    await Promise.all([steady.close(), billing.close()]);
    await erp.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
