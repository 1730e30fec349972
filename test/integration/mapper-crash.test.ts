// Crash safety of the mapper: kill -9 the real process mid-stream, start it
// again; every change is present at least once on reativa.triggers, and a
// change mapped twice carries the same event ids both times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/kafka/registry.js';
import { waitFor } from '../../src/util/wait.js';
import { erpPool, seedParty, settings, testKafka, unique } from '../support/harness.js';
import { processNamespace, type TestNamespace } from '../support/pipeline.js';
import { ReativaProcess } from '../support/processes.js';
import { triggerReader, type DecodedEvent } from '../support/triggers.js';

const pool = erpPool();
const processes: ReativaProcess[] = [];
let namespace: TestNamespace;
let triggers: ReturnType<typeof triggerReader>;

beforeAll(async () => {
  const own = await processNamespace(testKafka());
  namespace = own.namespace;
  triggers = triggerReader(testKafka(), createRegistry(settings.schemaRegistryUrl), namespace.topics.triggers);
  await triggers.start();
});

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  await triggers?.stop();
  await namespace?.drop();
  await pool.end();
});

describe('mapper crash', () => {
  it('loses nothing when killed with SIGKILL mid-stream, and re-emits the same ids', async () => {
    const start = () => {
      const p = new ReativaProcess([], { REATIVA_NAMESPACE: namespace.topics.namespace, REATIVA_LOG_LEVEL: 'info', REATIVA_KAFKA_SESSION_TIMEOUT_MS: '6000' });
      processes.push(p);
      return p;
    };
    const first = start();
    await first.waitForLog((l) => l.msg === 'mapper running');

    const { companyId, clientId } = await seedParty(pool);
    const contracts: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { rows } = await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('C-crash')]);
      contracts.push(Number(rows[0]!.id));
    }
    const ours = (e: DecodedEvent) => e.contractId !== null && contracts.includes(e.contractId) && e.kind === 'contract_change';
    const rounds = 10;
    const expected = contracts.length * (1 + rounds);

    // Keep the ERP writing while the mapper dies.
    const writing = (async () => {
      for (let round = 1; round <= rounds; round++) {
        await pool.query('UPDATE contracts SET billing_period = $2 WHERE id = ANY($1::bigint[])', [contracts, round]);
      }
    })();
    await triggers.waitFor(ours, 30, 30_000);
    expect(await first.kill('SIGKILL')).toBeNull();
    await writing;

    const second = start();
    await second.waitForLog((l) => l.msg === 'mapper running');
    // Events the first process emitted but did not commit come again, so the raw
    // count overshoots: wait on distinct source positions, not on records.
    const positionOf = (e: DecodedEvent) => `${e.source.lsn}|${e.source.primaryKey}|${e.source.op}`;
    await waitFor(`all ${expected} changes mapped`, async () => new Set(triggers.matching(ours).map(positionOf)).size >= expected, { timeoutMs: 60_000 });

    const events = triggers.matching(ours);
    const bySource = new Map<string, Set<string>>();
    for (const e of events) {
      const position = positionOf(e);
      bySource.set(position, (bySource.get(position) ?? new Set()).add(e.eventId));
    }
    // Every change is there, and each source position maps to exactly one event id.
    expect(bySource.size).toBe(expected);
    for (const ids of bySource.values()) expect(ids.size).toBe(1);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(expected);
  });
});
