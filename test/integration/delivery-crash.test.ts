// Crash safety of delivery: kill -9 the real Reativa process while it
// delivers, start it again; every delivery reaches the partner at least once,
// none is missing, and duplicates carry the same event id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/util/wait.js';
import { deactivateWebhooks, erpPool, seedParty, testKafka, unique } from '../support/harness.js';
import { contractsWebhook, one, processNamespace, type TestNamespace } from '../support/pipeline.js';
import { PartnerSimulator } from '../support/partner-simulator.js';
import { ReativaProcess } from '../support/processes.js';

const pool = erpPool();
const partner = new PartnerSimulator();
const processes: ReativaProcess[] = [];
let base = '';
let namespace: TestNamespace | undefined;

beforeAll(async () => {
  base = await partner.start();
});

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  await deactivateWebhooks(pool);
  await namespace?.drop();
  await partner.stop();
  await pool.end();
});


describe('delivery crash', () => {
  it('delivers everything at least once across a kill -9, duplicates with the same event id', async () => {
    const own = await processNamespace(testKafka());
    namespace = own.namespace;
    const env = { ...own.env, REATIVA_LOG_LEVEL: 'info', REATIVA_KAFKA_SESSION_TIMEOUT_MS: '6000', REATIVA_DELIVERY_RETRY_SCHEDULE: '200ms,400ms' };
    const start = () => {
      const p = new ReativaProcess([], env);
      processes.push(p);
      return p;
    };
    const first = start();
    await first.waitForLog((l) => l.msg === 'delivery running', 60_000);
    // Configured once Reativa runs: its mapper starts at the change log's end.
    await pool.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
    const { path } = await contractsWebhook(pool, base, { action: 'update', maxAttempts: 5 });

    const { companyId, clientId } = await seedParty(pool);
    const contracts: number[] = [];
    for (let i = 0; i < 30; i++) {
      contracts.push(one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('C')])).rows));
    }
    const rounds = 5;
    const writing = (async () => {
      for (let round = 1; round <= rounds; round++) await pool.query('UPDATE contracts SET billing_period = $2 WHERE id = ANY($1::bigint[])', [contracts, round]);
    })();
    const ours = () => partner.requests.filter((r) => r.path === path);
    await waitFor('some deliveries before the crash', async () => ours().length >= 20, { timeoutMs: 30_000 });
    expect(await first.kill('SIGKILL')).toBeNull();
    await writing;

    const second = start();
    await second.waitForLog((l) => l.msg === 'delivery running', 60_000);
    const expected = contracts.length * rounds;
    const distinct = () => new Set(ours().map((r) => r.headers['x-reativa-event-id']));
    await waitFor(`all ${expected} deliveries`, async () => distinct().size >= expected, { timeoutMs: 60_000 });

    // Every (contract, billing period) arrived, and each arrival of one change carried one id.
    const byChange = new Map<string, Set<string>>();
    for (const r of ours()) {
      const body = r.json as { Contract: { Id: number; BillingPeriod: number } };
      const change = `${body.Contract.Id}:${body.Contract.BillingPeriod}`;
      byChange.set(change, (byChange.get(change) ?? new Set()).add(String(r.headers['x-reativa-event-id'])));
    }
    expect(byChange.size).toBe(expected);
    for (const ids of byChange.values()) expect(ids.size).toBe(1);
    expect(distinct().size).toBe(expected);
  });
});
