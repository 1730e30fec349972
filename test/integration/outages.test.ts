// Outages are waited out, not crashed on: with Reativa running (every stage in
// one real process), PostgreSQL — the ERP's and Reativa's own, one server on the
// embedded stack — restarts, and later the Kafka broker does. The process never
// exits, says what it is waiting for, and every change the ERP committed
// reaches the partner, first deliveries in commit order.
import { afterAll, describe, expect, it } from 'vitest';
import { NativeStack } from '../../src/stack/native.js';
import { waitFor } from '../../src/util/wait.js';
import { FaultyPartner, judge } from '../support/faults.js';
import { deactivateWebhooks, erpPool, seedParty, settings, testKafka, unique } from '../support/harness.js';
import { contractsWebhook, one, processNamespace, type TestNamespace } from '../support/pipeline.js';
import { ReativaProcess } from '../support/processes.js';

const stack = new NativeStack(settings);
const pool = erpPool();
// Swallow what a restarting server does to idle clients of the test's own pool.
pool.on('error', () => undefined);
const partner = new FaultyPartner(Math.random, { fail: 0, hang: 0, drop: 0, slow: 0 });
let reativa: ReativaProcess | undefined;
let namespace: TestNamespace | undefined;

afterAll(async () => {
  await reativa?.kill('SIGKILL');
  await stack.up();
  await deactivateWebhooks(pool).catch(() => undefined);
  await namespace?.drop();
  await partner.stop();
  await pool.end();
});

/** The ERP's own writes pause while its server restarts: retried until committed, as an application would. */
async function commit(sql: string, params: unknown[]): Promise<void> {
  await waitFor('the ERP to take the write', async () => pool.query(sql, params).then(() => true, () => false), { timeoutMs: 120_000, intervalMs: 200 });
}

describe.skipIf(settings.stackMode !== 'native')('outages', () => {
  it('waits out a PostgreSQL restart and a broker restart, with nothing lost and no process restart', { timeout: 480_000 }, async () => {
    const base = await partner.start();
    const own = await processNamespace(testKafka());
    namespace = own.namespace;
    reativa = new ReativaProcess([], { ...own.env, REATIVA_LOG_LEVEL: 'info', REATIVA_KAFKA_SESSION_TIMEOUT_MS: '6000', REATIVA_DELIVERY_RETRY_SCHEDULE: '200ms,500ms,1s' });
    await reativa.waitForLog((l) => l.msg === 'delivery running', 120_000);
    await pool.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
    const hook = await contractsWebhook(pool, base, { action: 'update', maxAttempts: 1000 });
    const { companyId, clientId } = await seedParty(pool);
    const contracts: number[] = [];
    for (let i = 0; i < 8; i++) contracts.push(one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('O')])).rows));
    const committed = new Map<number, number[]>(contracts.map((c) => [c, []]));
    const arrived = () => judge([hook.path], committed, partner.receipts);

    let period = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const c = contracts[period % contracts.length]!;
        period += 1;
        await commit('UPDATE contracts SET billing_period = $2 WHERE id = $1', [c, period]);
        committed.get(c)!.push(period);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    const flowing = async (what: string) => {
      const target = period + 10;
      await waitFor(`deliveries flowing ${what}`, async () => partner.receipts.some((r) => r.path === hook.path && r.period >= target), { timeoutMs: 180_000 }).catch((error: unknown) => {
        // What the process last said, warnings and errors with their cause: why nothing flowed.
        const said = reativa!.lines.slice(-200).filter((l) => Number(l.level) >= 40).slice(-15);
        console.log(`outages: stuck ${what}; last receipt period ${Math.max(0, ...partner.receipts.map((r) => r.period))}, target ${target}\n${said.map((l) => `  ${l.msg}: ${JSON.stringify(l.err ?? l.what ?? '').slice(0, 300)}`).join('\n')}`);
        throw error;
      });
    };

    await flowing('before the outages');
    await stack.restartPostgres();
    await flowing('after PostgreSQL restarted');
    await stack.restartKafka();
    await flowing('after the broker restarted');
    writing = false;
    await writer;

    await waitFor('every committed change at the partner', async () => arrived().missing.length === 0, { timeoutMs: 180_000 });
    const verdict = arrived();
    expect(verdict.violations).toEqual([]);
    expect(verdict.idMismatches).toBe(0);
    // Never restarted: the same process, still running, that said what it waited for.
    expect(reativa.child.exitCode).toBeNull();
    expect(reativa.child.signalCode).toBeNull();
    const waited = reativa.lines.filter((l) => typeof l.msg === 'string' && (l.msg.endsWith('waiting it out') || l.msg.includes('broke; the next query reconnects')));
    expect(waited.length).toBeGreaterThan(0);
  });
});
