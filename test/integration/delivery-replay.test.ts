// Replay by offset: with the delivery group stopped, moving its offsets back
// to a point in time sends those deliveries again (same event ids); while the
// group has live members, the replay is refused.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDigest } from '../../src/alerts/digest.js';
import { createMailTransport } from '../../src/alerts/mailer.js';
import { startDelivery, type RunningDelivery } from '../../src/stages/delivery/runner.js';
import { applyReplay, planReplay } from '../../src/kafka/groups.js';
import { GroupBusyError } from '../../src/errors/group-busy-error.js';
import { createLogger } from '../../src/log.js';
import { waitFor } from '../../src/util/wait.js';
import { erpPool, seedParty, settings, unique } from '../support/harness.js';
import { PartnerSimulator } from '../support/partner-simulator.js';
import { contractsWebhook, one, startPipeline, testDeliveryOptions, type Pipeline } from '../support/pipeline.js';

const pool = erpPool();
const reativaPool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 4 });
const partner = new PartnerSimulator();
const transport = createMailTransport(settings.smtpUrl, 5000);
const logger = createLogger('warn');
const digest = new AlertDigest(transport, 'Reativa <reativa@example.com>', 1000, logger);
let base = '';
let pipeline: Pipeline;
let deliveryGroup: string;

const startDeliveryGroup = () =>
  startDelivery(pipeline.kafka, pipeline.registry, reativaPool, pipeline.routing.live, digest, logger, testDeliveryOptions(pipeline, { delaysMs: [200, 400] }, { groupId: deliveryGroup }));

beforeAll(async () => {
  base = await partner.start();
  pipeline = await startPipeline(pool);
  deliveryGroup = pipeline.namespace.groups.delivery;
});

afterAll(async () => {
  await pipeline?.stop();
  await partner.stop();
  await digest.close();
  transport.close();
  await Promise.all([pool.end(), reativaPool.end()]);
});

describe('replay', () => {
  it('re-sends from a point in time, with the same event ids, and refuses while the group runs', async () => {
    const { path } = await contractsWebhook(pool, base, { action: 'insert', maxAttempts: 3 });

    let delivery: RunningDelivery | undefined = await startDeliveryGroup();
    const ours = () => partner.requests.filter((r) => r.path === path);
    const before = await contractNow();
    await waitFor('the first delivery', async () => ours().length >= 1, { timeoutMs: 20_000 });
    const pointInTime = Date.now();
    for (let i = 0; i < 2; i++) await contractNow();
    await waitFor('three deliveries', async () => ours().length >= 3, { timeoutMs: 20_000 });
    const firstIds = ours().map((r) => r.headers['x-reativa-event-id']);

    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
      await expect(planReplay(admin, deliveryGroup, [pipeline.topics.deliveries], { kind: 'datetime', at: pointInTime })).rejects.toBeInstanceOf(GroupBusyError);
      await delivery.stop();
      delivery = undefined;
      await waitFor('the group to empty', async () => (await admin.describeGroups([deliveryGroup])).groups[0]?.members.length === 0, { timeoutMs: 30_000 });
      const steps = await planReplay(admin, deliveryGroup, [pipeline.topics.deliveries], { kind: 'datetime', at: pointInTime });
      expect(steps.length).toBeGreaterThan(0);
      await applyReplay(pipeline.kafka, deliveryGroup, steps);
    } finally {
      await admin.disconnect();
    }

    delivery = await startDeliveryGroup();
    try {
      await waitFor('the replayed deliveries', async () => ours().length >= 5, { timeoutMs: 20_000 });
    } finally {
      await delivery.stop();
    }
    const again = ours().slice(3).map((r) => r.headers['x-reativa-event-id']);
    // The two changes after the point in time went out again, with the ids they had; the one before did not.
    expect(again.sort()).toEqual(firstIds.slice(1).sort());
    expect(ours().filter((r) => (r.json as { Contract: { Id: number } }).Contract.Id === before)).toHaveLength(1);
  });
});

async function contractNow(): Promise<number> {
  const { companyId, clientId } = await seedParty(pool);
  return one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('C')])).rows);
}
