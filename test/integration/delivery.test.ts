// Delivery against real HTTP partners scripted per test: retries through the
// retry topics with the webhook's attempt limit, per-key order kept through
// failures, dead letters with an alert and one digest e-mail per burst, and
// the attempt log.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDigest } from '../../src/alerts/digest.js';
import { createMailTransport } from '../../src/alerts/mailer.js';
import { startDelivery, type RunningDelivery } from '../../src/stages/delivery/runner.js';
import { createLogger } from '../../src/log.js';
import { createProducer } from '../../src/kafka/client.js';
import { waitFor } from '../../src/util/wait.js';
import type { TopicReader} from '../support/harness.js';
import { erpPool, seedParty, settings, unique } from '../support/harness.js';
import { mailsTo } from '../support/mailbox.js';
import { DROP, HANG, PartnerSimulator, type ReceivedRequest } from '../support/partner-simulator.js';
import { contractsWebhook, deliveryReader, jsonReader, one, startPipeline, testDeliveryOptions, type Pipeline } from '../support/pipeline.js';

const pool = erpPool();
const reativaPool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 4 });
const partner = new PartnerSimulator();
const transport = createMailTransport(settings.smtpUrl, 5000);
const digest = new AlertDigest(transport, 'Reativa <reativa@example.com>', 1500, createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'));
const SCHEDULE = [300, 600, 900];
let base = '';
let pipeline: Pipeline;
let delivery: RunningDelivery;
let dlq: TopicReader<Record<string, unknown>>;

beforeAll(async () => {
  base = await partner.start();
  pipeline = await startPipeline(pool);
  delivery = await startDelivery(pipeline.kafka, pipeline.registry, reativaPool, pipeline.routing.live, digest, createLogger('warn'), testDeliveryOptions(pipeline, { delaysMs: SCHEDULE, minRetryAfterMs: 100 }));
  dlq = jsonReader<Record<string, unknown>>(pipeline.kafka, pipeline.topics.deliveriesDlq);
  await dlq.start();
});

afterAll(async () => {
  await delivery?.stop();
  await dlq?.stop();
  await pipeline?.stop();
  await partner.stop();
  await digest.close();
  transport.close();
  await Promise.all([pool.end(), reativaPool.end()]);
});

/** A standard webhook on contract updates, pointed at the simulator under its own path. */
const webhook = (maxAttempts: number, emails?: string) => contractsWebhook(pool, base, { action: 'update', maxAttempts, ...(emails ? { emails } : {}) });

async function contract(): Promise<number> {
  const { companyId, clientId } = await seedParty(pool);
  return one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('C')])).rows);
}

async function deliveriesFor(webhookId: number) {
  // Read after the fact: the deliveries were routed before this reader started.
  const reader = deliveryReader(pipeline.kafka, pipeline.registry, pipeline.topics, 'beginning');
  await reader.start();
  try {
    return await reader.waitFor((d) => d.webhookId === webhookId, 40, 15_000);
  } finally {
    await reader.stop();
  }
}

const at = (path: string) => (r: ReceivedRequest) => r.path === path;
const billingOf = (r: ReceivedRequest) => (r.json as { Contract: { BillingPeriod: number } }).Contract.BillingPeriod;


describe('delivery', () => {
  it('retries on the schedule up to the webhook attempt limit, then dead-letters with an alert e-mail', async () => {
    // Addresses of this test's own: a used stack's MailDev holds other mails about other contracts.
    const [a, b] = [`${unique('a')}@x.com`, `${unique('b')}@y.com`];
    const hook = await webhook(3, `${a};${b}`);
    partner.script(hook.path, () => 503);
    const c = await contract();
    await pool.query('UPDATE contracts SET billing_period = 5 WHERE id = $1', [c]);

    const [dead] = await dlq.waitFor((d) => d.webhookId === hook.id && d.contractId === c, 1, 20_000);
    const tries = partner.requests.filter(at(hook.path));
    expect(tries).toHaveLength(3);
    // The gaps follow the schedule (300 ms, then 600 ms), never shorter.
    const gaps = tries.slice(1).map((r, i) => r.receivedAt - tries[i]!.receivedAt);
    expect(gaps[0]).toBeGreaterThanOrEqual(SCHEDULE[0]! - 50);
    expect(gaps[1]).toBeGreaterThanOrEqual(SCHEDULE[1]! - 50);
    expect(new Set(tries.map((r) => r.headers['x-reativa-event-id'])).size).toBe(1);
    expect(dead).toMatchObject({ stage: 'delivery', reason: 'limite de tentativas atingido (3)' });
    expect((dead!.attempts as { status: number }[]).map((a) => a.status)).toEqual([503, 503, 503]);

    const mail = await waitFor('the alert e-mail', async () => (await mailsTo(a))[0], { timeoutMs: 10_000 });
    expect(mail.to.map((t) => t.address).sort()).toEqual([a, b].sort());
    expect(mail.text).toContain(`Contrato ${c}:`);
    expect(mail.subject).toContain('limite de tentativas');
    expect(mail.text).toContain(`${base}${hook.path}`);
    expect(mail.text).toContain('3 tentativas, último erro: HTTP 503');

    // The attempt log is written in batches, off the hot path: it catches up within its flush interval.
    const logged = await waitFor(
      'the attempt log',
      async () => {
        const { rows } = await reativaPool.query<{ attempt: number; status: number; outcome: string; response_excerpt: string }>(
          'SELECT attempt, status, outcome, response_excerpt FROM reativa.delivery_attempts WHERE webhook_id = $1 ORDER BY attempt',
          [hook.id],
        );
        return rows.length === 3 ? rows : undefined;
      },
      { timeoutMs: 5000 },
    );
    expect(logged.map((r) => [r.attempt, r.status, r.outcome])).toEqual([[1, 503, 'retryable'], [2, 503, 'retryable'], [3, 503, 'retryable']]);
    expect(logged[0]!.response_excerpt).toBe('{"ok":true}');
  });

  it('keeps per-contract order through retries: later changes wait behind the one being retried', async () => {
    const hook = await webhook(5);
    // The first change fails twice: a dropped connection, then a 500.
    const failures = [DROP, 500];
    partner.script(hook.path, (r) => (billingOf(r) === 1 ? (failures.shift() ?? 200) : 200));
    const c = await contract();
    for (const period of [1, 2, 3, 4]) await pool.query('UPDATE contracts SET billing_period = $2 WHERE id = $1', [c, period]);

    await waitFor('four successful deliveries', async () => partner.requests.filter(at(hook.path)).length >= 6, { timeoutMs: 20_000 });
    const periods = partner.requests.filter(at(hook.path)).map(billingOf);
    expect(periods).toEqual([1, 1, 1, 2, 3, 4]);

    // Each failure is in the attempt log, classified, with the network error named.
    const logged = await waitFor(
      'the attempt log',
      async () => {
        const { rows } = await reativaPool.query<{ status: number | null; outcome: string; error: string | null }>(
          'SELECT status, outcome, error FROM reativa.delivery_attempts WHERE webhook_id = $1 ORDER BY attempted_at, attempt',
          [hook.id],
        );
        return rows.length === 6 ? rows : undefined;
      },
      { timeoutMs: 5000 },
    );
    expect(logged.slice(0, 3).map((r) => [r.status, r.outcome])).toEqual([[null, 'retryable'], [500, 'retryable'], [200, 'success']]);
    expect(logged[0]!.error).toMatch(/socket|closed/i);
  });

  it('isolates partners: with one timing out on every request, another keeps a p99 under 1 s', async () => {
    const slow = await webhook(2);
    const fast = await webhook(2);
    partner.script(slow.path, () => HANG);
    const contracts: number[] = [];
    for (let i = 0; i < 40; i++) contracts.push(await contract());
    for (const c of contracts) await pool.query('UPDATE contracts SET billing_period = 7 WHERE id = $1', [c]);
    await waitFor('40 deliveries to the healthy partner', async () => partner.requests.filter(at(fast.path)).length >= 40, { timeoutMs: 30_000 });
    expect(partner.requests.filter(at(slow.path)).length).toBeGreaterThan(0);
    // Latency from routing to the healthy partner's receipt, per delivery.
    const routedAt = new Map<string, number>();
    for (const d of await deliveriesFor(fast.id)) routedAt.set(d.eventId, d.routedAt);
    const measured = partner.requests.filter(at(fast.path)).map((r) => r.receivedAt - routedAt.get(String(r.headers['x-reativa-event-id']))!);
    measured.sort((a, b) => a - b);
    const p99 = measured[Math.ceil(measured.length * 0.99) - 1]!;
    expect(measured).toHaveLength(40);
    expect(p99).toBeLessThan(1000);
  });

  it('defers first attempts of a webhook that keeps failing, instead of holding slots for it, and delivers them in order once it answers', async () => {
    const hook = await webhook(20);
    let down = true;
    const delivered = new Map<number, number[]>();
    partner.script(hook.path, (r) => {
      if (down) return HANG;
      const { Contract } = r.json as { Contract: { Id: number; BillingPeriod: number } };
      delivered.set(Contract.Id, [...(delivered.get(Contract.Id) ?? []), Contract.BillingPeriod]);
      return 200;
    });
    const contracts: number[] = [];
    for (let i = 0; i < 20; i++) contracts.push(await contract());
    const before = delivery.stats.deferred;
    for (const period of [1, 2]) for (const c of contracts) await pool.query('UPDATE contracts SET billing_period = $2 WHERE id = $1', [c, period]);

    // Eight requests hang (the in-flight limit), time out, and open the circuit:
    // what waited for a slot is deferred to the retry path, unsent.
    await waitFor('deferred first attempts', async () => delivery.stats.deferred - before >= 5, { timeoutMs: 15_000 });
    expect(partner.requests.filter(at(hook.path)).length).toBeLessThan(40);

    down = false;
    await waitFor('every change delivered', async () => contracts.every((c) => (delivered.get(c) ?? []).length >= 2), { timeoutMs: 45_000 });
    // Per contract, in commit order, each once.
    for (const c of contracts) expect(delivered.get(c)).toEqual([1, 2]);
  });

  it('sends a permanent failure straight to the dead letter, and a burst becomes one e-mail with a count', async () => {
    const recipient = `${unique('burst')}@example.com`;
    const hook = await webhook(5, recipient);
    partner.script(hook.path, () => 400);
    const contracts = [await contract(), await contract(), await contract(), await contract()];
    for (const c of contracts) await pool.query('UPDATE contracts SET billing_period = 9 WHERE id = $1', [c]);

    const dead = await dlq.waitFor((d) => d.webhookId === hook.id, 4, 20_000);
    expect(dead.every((d) => String(d.reason).startsWith('falha permanente: HTTP 400'))).toBe(true);
    expect(partner.requests.filter(at(hook.path))).toHaveLength(4);
    const mail = await waitFor('the digest e-mail', async () => (await mailsTo(recipient))[0], { timeoutMs: 10_000 });
    expect(mail.subject).toContain('4 envios');
    expect(await mailsTo(recipient)).toHaveLength(1);
  });

  it('dead-letters, whole, delivery records it cannot read (first attempts and retries), and delivers the next', async () => {
    const hook = await webhook(3);
    const c = await contract();
    const key = `${hook.id}|contract:${c}`;
    // A schema id no registry holds: unreadable whatever schemas this registry has seen.
    const garbage = Buffer.from([0, 0x7f, 0xff, 0xff, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    const producer = createProducer(pipeline.kafka);
    await producer.connect();
    await producer.send({ topic: pipeline.topics.deliveries, messages: [{ key, value: garbage }, { key, value: null }] });
    // A retry record due now whose envelope is broken.
    await producer.send({ topic: pipeline.topics.retry(1), messages: [{ key, value: garbage, headers: { 'reativa-due-at': '0', 'reativa-attempt': '2', 'reativa-history': '{broken' } }] });
    await producer.disconnect();
    await pool.query('UPDATE contracts SET billing_period = 7 WHERE id = $1', [c]);

    await waitFor('the next change delivered', async () => partner.requests.some((r) => r.path === hook.path && billingOf(r) === 7), { timeoutMs: 20_000 });
    const letters = await dlq.waitFor((d) => d.stage === 'deliver' && d.key === key, 3, 20_000);
    const sources = letters.map((d) => (d.source as { topic: string }).topic).sort();
    expect(sources).toEqual([pipeline.topics.deliveries, pipeline.topics.deliveries, pipeline.topics.retry(1)].sort());
    const values = letters.map((d) => d.value as string | null);
    expect(values.filter((v) => v !== null).every((v) => Buffer.from(v, 'base64').equals(garbage))).toBe(true);
    expect(values.filter((v) => v === null)).toHaveLength(1);
    const retried = letters.find((d) => (d.source as { topic: string }).topic === pipeline.topics.retry(1))!;
    expect(retried.headers).toMatchObject({ 'reativa-history': '{broken' });
  });
});
