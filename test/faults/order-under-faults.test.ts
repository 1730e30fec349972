// Order and delivery under faults, on the real stack with Reativa's real
// processes: thousands of contract changes while mapper, routing and delivery
// processes are killed (-9) and restarted at random, a second routing and
// delivery process comes and goes (rebalances), and the partner fails, hangs
// and drops connections. Then, for every (webhook, contract): every committed
// change arrived at least once, and first deliveries arrived in commit order.
//
// Bounded in `npm test` (REATIVA_FAULTS unset or 'ci'); `npm run test:faults --
// --long` soaks it and writes the figures to docs/reliability.md. A failing
// run prints its seed: REATIVA_FAULTS_SEED=<seed> replays the same choices.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';
import { waitFor } from '../../src/util/wait.js';
import { deactivateWebhooks, erpPool, seedParty, settings, testKafka, unique } from '../support/harness.js';
import { FaultyPartner, judge, seededRandom, type Verdict } from '../support/faults.js';
import { contractsWebhook, one, processNamespace, type TestNamespace } from '../support/pipeline.js';
import { ReativaProcess } from '../support/processes.js';

const LONG = process.env.REATIVA_FAULTS === 'long';
const SIZE = LONG ? { contracts: 60, changes: 20_000, ratePerSecond: 60 } : { contracts: 24, changes: 1_200, ratePerSecond: 40 };
const seed = Number(process.env.REATIVA_FAULTS_SEED ?? Date.now() % 1_000_000);
const random = seededRandom(seed);
const pool = erpPool();
const partner = new FaultyPartner(seededRandom(seed + 1), { fail: 0.12, hang: 0.03, drop: 0.04, slow: 0.05 });
const running = new Set<ReativaProcess>();
let namespace: TestNamespace | undefined;

afterAll(async () => {
  for (const p of running) await p.kill('SIGKILL');
  await deactivateWebhooks(pool);
  await namespace?.drop();
  await partner.stop();
  await pool.end();
});

/** A stage's process slot: at most one process at a time, restarted with the same arguments. */
class Slot {
  process: ReativaProcess | undefined;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  start(): ReativaProcess {
    const p = new ReativaProcess(this.args, this.env);
    running.add(p);
    p.child.once('exit', () => running.delete(p));
    this.process = p;
    this.starts += 1;
    return p;
  }

  get alive(): boolean {
    return !!this.process && this.process.child.exitCode === null && this.process.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    await this.process?.kill(signal);
    this.process = undefined;
  }
}

describe('order under faults', () => {
  it(`delivers every change at least once, first deliveries in commit order (seed ${seed})`, { timeout: LONG ? 3_600_000 : 600_000 }, async () => {
    const base = await partner.start();
    const own = await processNamespace(testKafka());
    namespace = own.namespace;
    const stateRoot = path.join(settings.stackDir, 'state-faults', namespace.topics.namespace);
    const env = {
      ...own.env,
      REATIVA_LOG_LEVEL: 'info',
      REATIVA_KAFKA_SESSION_TIMEOUT_MS: '6000',
      REATIVA_DELIVERY_RETRY_SCHEDULE: '200ms,500ms,1s',
      REATIVA_DELIVERY_CONNECT_TIMEOUT_MS: '500',
      REATIVA_DELIVERY_RESPONSE_TIMEOUT_MS: '1000',
      REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS: '1500',
      REATIVA_DELIVERY_BREAKER_THRESHOLD: '1000',
    };
    // The active mapper keeps the stack's state store (built already); its
    // standby builds one of its own in the background.
    const slots = [
      new Slot('mapper', ['--stages', 'mapper'], env),
      new Slot('mapper-standby', ['--stages', 'mapper'], { ...env, REATIVA_STATE_DIR: path.join(stateRoot, 'standby') }),
      new Slot('routing', ['--stages', 'routing'], env),
      new Slot('delivery', ['--stages', 'delivery'], env),
      // Second processes that come and go: each arrival and departure is a rebalance.
      new Slot('routing-2', ['--stages', 'routing'], env),
      new Slot('delivery-2', ['--stages', 'delivery'], env),
    ];
    const [mapper, standby, routing, delivery] = slots;
    const first = mapper!.start();
    routing!.start();
    const deliveryProcess = delivery!.start();
    standby!.start();
    await first.waitForLog((l) => l.msg === 'mapper running', 120_000);
    await deliveryProcess.waitForLog((l) => l.msg === 'delivery running', 120_000);

    // Configured once Reativa runs: its mapper starts at the change log's end.
    await pool.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
    const hooks = [await contractsWebhook(pool, base, { action: 'update', maxAttempts: 1000 }), await contractsWebhook(pool, base, { action: 'update', maxAttempts: 1000 })];
    const { companyId, clientId } = await seedParty(pool);
    const contracts: number[] = [];
    for (let i = 0; i < SIZE.contracts; i++) {
      contracts.push(one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('F')])).rows));
    }
    // Both webhooks see a first change before the faults begin: routing has their configuration.
    await pool.query('UPDATE contracts SET billing_period = 0 WHERE id = $1', [contracts[0]]);
    await waitFor('the configuration in place', async () => hooks.every((h) => partner.receipts.some((r) => r.path === h.path)), { timeoutMs: 120_000 });

    // The ERP: updates of random contracts, each a transaction, at a steady rate.
    const committed = new Map<number, number[]>(contracts.map((c) => [c, []]));
    committed.get(contracts[0]!)!.push(0);
    let writing = true;
    const writer = (async () => {
      const next = new Map<number, number>(contracts.map((c) => [c, 1]));
      const started = Date.now();
      for (let i = 0; i < SIZE.changes; i++) {
        const c = contracts[Math.floor(random() * contracts.length)]!;
        const period = next.get(c)!;
        await pool.query('UPDATE contracts SET billing_period = $2 WHERE id = $1', [c, period]);
        committed.get(c)!.push(period);
        next.set(c, period + 1);
        const due = started + ((i + 1) * 1000) / SIZE.ratePerSecond;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
      writing = false;
    })();

    // The faults, while the ERP writes: every few seconds, one of them.
    const faults = { kills: 0, restarts: 0, rebalances: 0 };
    const injector = (async () => {
      while (writing) {
        await new Promise((resolve) => setTimeout(resolve, 2000 + random() * 4000));
        if (!writing) break;
        const roll = random();
        if (roll < 0.6) {
          // kill -9 one of the stage processes, and start it again.
          const victim = slots.slice(0, 4)[Math.floor(random() * 4)]!;
          if (!victim.alive) continue;
          await victim.kill('SIGKILL');
          faults.kills += 1;
          await new Promise((resolve) => setTimeout(resolve, random() * 1500));
          victim.start();
          faults.restarts += 1;
        } else {
          // A second routing or delivery process joins, or leaves (by Ctrl-C or by kill -9).
          const extra = slots[4 + Math.floor(random() * 2)]!;
          if (extra.alive) {
            const signal = random() < 0.5 ? 'SIGTERM' : 'SIGKILL';
            await extra.kill(signal);
            if (signal === 'SIGKILL') faults.kills += 1;
          } else extra.start();
          faults.rebalances += 1;
        }
      }
    })();
    await writer;
    await injector;
    // Every stage running again, then wait for the last changes.
    for (const slot of slots.slice(0, 4)) if (!slot.alive) slot.start();
    const paths = hooks.map((h) => h.path);
    let verdict: Verdict = judge(paths, committed, partner.receipts);
    await waitFor(
      'every committed change at the partner',
      async () => {
        verdict = judge(paths, committed, partner.receipts);
        return verdict.missing.length === 0;
      },
      { timeoutMs: LONG ? 600_000 : 240_000, intervalMs: 1000, onWaiting: () => console.log(`faults: ${verdict.missing.length} changes still missing`) },
    ).catch((error: unknown) => {
      console.log(`faults: seed ${seed}, still missing: ${verdict.missing.slice(0, 20).join('; ')}`);
      throw error;
    });

    const report = {
      at: new Date().toISOString(),
      seed,
      size: LONG ? 'long' : 'ci',
      contracts: SIZE.contracts,
      webhooks: hooks.length,
      changes: verdict.changes,
      deliveries: partner.receipts.length,
      duplicates: verdict.duplicates,
      idMismatches: verdict.idMismatches,
      violations: verdict.violations.length,
      missing: verdict.missing.length,
      ...faults,
      partner: partner.tally,
      processStarts: Object.fromEntries(slots.map((s) => [s.name, s.starts])),
    };
    console.log(`faults: ${JSON.stringify(report)}`);
    const reports = path.join(settings.stackDir, 'faults');
    fs.mkdirSync(reports, { recursive: true });
    fs.writeFileSync(path.join(reports, `${report.at.replace(/[:.]/g, '-')}.json`), `${JSON.stringify(report, null, 2)}\n`);
    if (process.env.REATIVA_FAULTS_REPORT) fs.writeFileSync(projectPath(process.env.REATIVA_FAULTS_REPORT), `${JSON.stringify(report, null, 2)}\n`);

    expect(verdict.violations).toEqual([]);
    expect(verdict.idMismatches).toBe(0);
    expect(verdict.missing).toEqual([]);
    expect(faults.kills).toBeGreaterThan(0);
  });
});
