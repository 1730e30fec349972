// The HTTP server of a real `reativa start` process on the embedded stack:
// /healthz answers while it starts, /readyz once its consumers joined, and
// /metrics counts deliveries per webhook and outcome as they happen (a retry
// included), with consumer lag for every group (the retry group too); the
// per-stage progress line shows up in the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/util/wait.js';
import { deactivateWebhooks, erpPool, seedParty, testKafka, unique } from '../support/harness.js';
import { PartnerSimulator } from '../support/partner-simulator.js';
import { contractsWebhook, one, processNamespace, type TestNamespace } from '../support/pipeline.js';
import { ReativaProcess } from '../support/processes.js';

const pool = erpPool();
const partner = new PartnerSimulator();
let reativa: ReativaProcess | undefined;
let namespace: TestNamespace | undefined;
let base = '';

beforeAll(async () => {
  base = await partner.start();
});

afterAll(async () => {
  await reativa?.kill('SIGKILL');
  await deactivateWebhooks(pool);
  await namespace?.drop();
  await partner.stop();
  await pool.end();
});

/** The value of one series in a Prometheus text exposition, or undefined when absent. */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('the HTTP server of reativa start', () => {
  it('answers /healthz and /readyz, and /metrics counts deliveries as they happen', async () => {
    const own = await processNamespace(testKafka());
    namespace = own.namespace;
    reativa = new ReativaProcess([], {
      ...own.env,
      REATIVA_LOG_LEVEL: 'info',
      REATIVA_HTTP_PORT: '0',
      REATIVA_PROGRESS_LOG_INTERVAL: '1s',
      REATIVA_DELIVERY_RETRY_SCHEDULE: '200ms,400ms',
    });
    const listening = await reativa.waitForLog((l) => l.msg.startsWith('http server listening'), 60_000);
    const address = String(listening.address);
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const get = (path: string) => fetch(`${address}${path}`, { signal: AbortSignal.timeout(5000) });

    const alive = await get('/healthz');
    expect(alive.status).toBe(200);
    expect(await alive.json()).toMatchObject({ status: 'alive' });

    await reativa.waitForLog((l) => l.msg === 'delivery running', 60_000);
    const ready = await waitFor('/readyz to say ready', async () => ((await get('/readyz')).status === 200 ? true : undefined), { timeoutMs: 60_000 });
    expect(ready).toBe(true);

    // Configured once Reativa runs: its mapper starts at the change log's end.
    await pool.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
    const { id: webhookId, path } = await contractsWebhook(pool, base, { action: 'update', maxAttempts: 5 });
    // The partner fails each contract's first request once: a retryable outcome, then a success.
    const seen = new Set<number>();
    partner.script(path, (request) => {
      const contract = (request.json as { Contract?: { Id?: number } } | null)?.Contract?.Id ?? 0;
      if (seen.has(contract)) return 200;
      seen.add(contract);
      return 503;
    });
    const metrics = async () => {
      const response = await get('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return response.text();
    };
    const webhook = String(webhookId);
    const before = await metrics();
    expect(sample(before, 'reativa_deliveries_total', { webhook, outcome: 'success' }) ?? 0).toBe(0);

    const { companyId, clientId } = await seedParty(pool);
    const contracts: number[] = [];
    for (let i = 0; i < 5; i++) {
      contracts.push(one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('C-http')])).rows));
    }
    await pool.query('UPDATE contracts SET billing_period = 2 WHERE id = ANY($1::bigint[])', [contracts]);

    const after = await waitFor(
      'five successes and five retryable attempts at /metrics',
      async () => {
        const text = await metrics();
        const success = sample(text, 'reativa_deliveries_total', { webhook, outcome: 'success' }) ?? 0;
        const retryable = sample(text, 'reativa_deliveries_total', { webhook, outcome: 'retryable' }) ?? 0;
        return success >= 5 && retryable >= 5 ? text : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(sample(after, 'reativa_deliveries_total', { webhook, outcome: 'dead_lettered' })).toBe(0);
    expect(sample(after, 'reativa_delivery_attempt_duration_seconds_count', { webhook })).toBeGreaterThanOrEqual(10);
    expect(sample(after, 'reativa_mapper_changes_total')!).toBeGreaterThan(sample(before, 'reativa_mapper_changes_total') ?? 0);
    expect(sample(after, 'reativa_routing_deliveries_total')!).toBeGreaterThanOrEqual(5);
    expect(sample(after, 'reativa_ready')).toBe(1);
    expect(sample(after, 'reativa_build_info', { namespace: own.namespace.topics.namespace })).toBe(1);
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // Lag for every group of the process, the retry group included.
    const groups = own.namespace.groups;
    for (const group of [groups.mapper, groups.routing, groups.delivery, `${groups.delivery}-retry`]) {
      expect(after, group).toContain(`reativa_consumer_lag{group="${group}"`);
    }
    expect(sample(after, 'reativa_consumer_lag_read_ok')).toBe(1);

    // The per-stage progress line, with the interval's counters.
    const progress = await reativa.waitForLog((l) => l.stage === 'delivery' && typeof l.totals === 'object' && ((l.totals as { delivered?: number }).delivered ?? 0) >= 5, 30_000);
    expect(progress.msg).toMatch(/^delivery: delivered \+\d+/);
  });
});
