// One stage per process (issue 12): a mapper, two routing and two delivery
// processes, each `reativa start --stages <stage>`, share the work through
// their consumer groups. One routing and one delivery process are killed (-9)
// while the ERP writes; the survivors take their partitions over. Then, per
// contract: every committed change reached the partner at least once, and the
// first deliveries arrived in commit order (the fault suite's checker).
import { AssignerProtocol, type Admin } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { retryGroupOf } from '../../src/stages/registry.js';
import { waitFor } from '../../src/util/wait.js';
import { FaultyPartner, judge, seededRandom, type Verdict } from '../support/faults.js';
import { deactivateWebhooks, erpPool, seedParty, testKafka, unique } from '../support/harness.js';
import { contractsWebhook, one, processNamespace, type TestNamespace } from '../support/pipeline.js';
import { ReativaProcess } from '../support/processes.js';

const CONTRACTS = 24;
const CHANGES = 480;
const RATE_PER_SECOND = 40;

const pool = erpPool();
// A partner that answers 503 now and then, so keys are parked and retried across the kills too.
const partner = new FaultyPartner(seededRandom(12), { fail: 0.05, hang: 0, drop: 0, slow: 0 });
const running: ReativaProcess[] = [];
let namespace: TestNamespace | undefined;
let admin: Admin | undefined;

afterAll(async () => {
  for (const p of running) await p.kill('SIGKILL');
  await admin?.disconnect();
  await deactivateWebhooks(pool);
  await namespace?.drop();
  await partner.stop();
  await pool.end();
});

/** The members of a consumer group and the partitions each holds, when the group is stable. */
async function stableMembers(group: string): Promise<{ clientHost: string; partitions: number }[] | undefined> {
  const described = (await admin!.describeGroups([group])).groups[0];
  if (described?.state !== 'Stable') return undefined;
  return described.members.map((m) => {
    const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
    const partitions = Object.values(assignment?.assignment ?? {}).reduce((sum, list) => sum + list.length, 0);
    return { clientHost: m.clientHost, partitions };
  });
}

/** Waits until `group` is stable with `count` members, each holding at least one partition. */
const groupOf = (group: string, count: number) =>
  waitFor(
    `${group} stable with ${count} members, each with partitions`,
    async () => {
      const members = await stableMembers(group);
      return members?.length === count && members.every((m) => m.partitions > 0) ? members : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );

describe('one stage per process', () => {
  it('two routing and two delivery processes, one of each killed mid-traffic: nothing lost, first deliveries per contract in commit order', { timeout: 110_000 }, async () => {
    const base = await partner.start();
    const kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    const own = await processNamespace(kafka);
    namespace = own.namespace;
    const groups = namespace.groups;
    const env = {
      ...own.env,
      REATIVA_LOG_LEVEL: 'info',
      // Five processes on one host: each its own HTTP port.
      REATIVA_HTTP_PORT: '0',
      // A killed member's partitions move to the survivor within this.
      REATIVA_KAFKA_SESSION_TIMEOUT_MS: '6000',
      REATIVA_DELIVERY_RETRY_SCHEDULE: '200ms,500ms',
      REATIVA_DELIVERY_BREAKER_THRESHOLD: '1000',
    };
    const start = (stage: 'mapper' | 'routing' | 'delivery') => {
      const p = new ReativaProcess(['--stages', stage], env);
      running.push(p);
      return p;
    };
    const mapper = start('mapper');
    const routing = [start('routing'), start('routing')] as const;
    const delivery = [start('delivery'), start('delivery')] as const;
    const processes = [mapper, ...routing, ...delivery];
    await waitFor(
      'every process running',
      async () => processes.every((p) => p.lines.some((l) => /^(mapper|routing|delivery) running$/.test(l.msg))),
      { timeoutMs: 75_000, intervalMs: 500 },
    ).catch((error: unknown) => {
      for (const p of processes) {
        // The last lines, and every error with its cause: what a late or dead process was doing.
        const errors = p.lines.filter((l) => Number(l.level) >= 50).map((l) => `${l.msg}: ${JSON.stringify(l.err ?? l.error ?? '').slice(0, 400)}`);
        console.log(`multi-process: ${p.child.spawnargs.slice(-1)[0]} (pid ${p.child.pid}, exit ${p.child.exitCode}): ${p.lines.slice(-3).map((l) => l.msg).join(' | ')}${errors.length ? `\n  errors: ${errors.join('\n  ')}` : ''}`);
      }
      throw error;
    });
    // Each process of a stage holds part of its topic: the work is shared, so a kill takes some of it away.
    await groupOf(groups.routing, 2);
    await groupOf(groups.delivery, 2);
    await groupOf(retryGroupOf(groups.delivery), 2);
    // Each stage ran in its own process: a mapper-only process never started routing or delivery.
    expect(mapper.lines.some((l) => l.msg === 'routing running' || l.msg === 'delivery running')).toBe(false);
    expect(routing.some((p) => p.lines.some((l) => l.msg === 'mapper running' || l.msg === 'delivery running'))).toBe(false);

    // Configured once Reativa runs: its mapper starts at the change log's end.
    await pool.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
    const hook = await contractsWebhook(pool, base, { action: 'update', maxAttempts: 1000 });
    const { companyId, clientId } = await seedParty(pool);
    const contracts: number[] = [];
    for (let i = 0; i < CONTRACTS; i++) {
      contracts.push(one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('MP')])).rows));
    }

    // The ERP: updates of contracts in turn, each its own transaction, at a steady rate.
    const committed = new Map<number, number[]>(contracts.map((c) => [c, []]));
    const writer = (async () => {
      const started = Date.now();
      for (let i = 0; i < CHANGES; i++) {
        const contract = contracts[i % CONTRACTS]!;
        const period = Math.floor(i / CONTRACTS) + 1;
        await pool.query('UPDATE contracts SET billing_period = $2 WHERE id = $1', [contract, period]);
        committed.get(contract)!.push(period);
        const due = started + ((i + 1) * 1000) / RATE_PER_SECOND;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
    })();

    // Mid-traffic: once deliveries flow, kill -9 one routing and one delivery process.
    const ours = () => partner.receipts.filter((r) => r.path === hook.path);
    await waitFor('deliveries flowing', async () => ours().length >= 40, { timeoutMs: 60_000 });
    const [routingCode, deliveryCode] = await Promise.all([routing[0].kill('SIGKILL'), delivery[0].kill('SIGKILL')]);
    expect([routingCode, deliveryCode]).toEqual([null, null]);
    const atKill = ours().length;
    expect(atKill).toBeLessThan(CHANGES);
    await writer;

    let verdict: Verdict = judge([hook.path], committed, partner.receipts);
    await waitFor(
      `all ${CHANGES} changes at the partner`,
      async () => {
        verdict = judge([hook.path], committed, partner.receipts);
        return verdict.missing.length === 0;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    ).catch((error: unknown) => {
      console.log(`multi-process: ${verdict.missing.length} missing, e.g. ${verdict.missing.slice(0, 10).join('; ')}`);
      throw error;
    });
    expect(verdict.changes).toBe(CHANGES);
    expect(verdict.missing).toEqual([]);
    expect(verdict.violations).toEqual([]);
    // A change sent twice (a batch redone after the kill) carries the same event id.
    expect(verdict.idMismatches).toBe(0);
    // The survivors took over the killed processes' partitions.
    expect((await groupOf(groups.routing, 1)).length).toBe(1);
    expect((await groupOf(groups.delivery, 1)).length).toBe(1);
    expect(ours().length).toBeGreaterThan(atKill);
  });
});
