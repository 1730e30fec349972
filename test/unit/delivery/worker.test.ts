// The delivery worker against fakes of every port: what it sends, forwards,
// parks, queues, drains and dead-letters, per key, with no Kafka or database.
import { describe, expect, it } from 'vitest';
import type { ResolvedWebhook } from '../../../src/config/webhooks.js';
import type { Alert } from '../../../src/contracts/alert.js';
import type { DeliveryDeadLetter } from '../../../src/contracts/dead-letter.js';
import { deliveryKey, ReceivedDelivery } from '../../../src/contracts/delivery.js';
import type { RetryEnvelope } from '../../../src/contracts/retry-envelope.js';
import type { DeliveryRecord } from '../../../src/contracts/generated/delivery.js';
import type { Outcome } from '../../../src/delivery/outcome.js';
import type { AttemptRecord, Outbox } from '../../../src/delivery/ports.js';
import type { OutgoingRequest } from '../../../src/delivery/request.js';
import { DEFAULT_SCHEDULE } from '../../../src/delivery/retry-policy.js';
import { DeliveryWorker } from '../../../src/delivery/worker.js';
import type { FailureNotice } from '../../../src/alerts/render.js';
import { createLogger } from '../../../src/log.js';
import { MemoryParking } from '../../support/memory-parking.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');

const webhook = (patch: Partial<ResolvedWebhook> = {}): ResolvedWebhook =>
  ({ id: 1, name: 'Parceiro', method: 'POST', url: 'https://partner.example/hook', maxAttempts: 3, alertEmails: ['ops@isp.com.br'], headers: [], parameters: [], active: true, ...patch }) as ResolvedWebhook;

const record = (n: number, contract = 100): Buffer =>
  Buffer.from(JSON.stringify({
    deliveryId: `d-${n}`, eventId: `e-${n}`, webhookId: 1, integratorId: 7, contractId: contract, aggregateKey: `contract:${contract}`,
    kind: 'standard', entity: 'contracts', action: 'update', method: 'POST', url: 'https://partner.example/hook', committedAt: NOW, routedAt: NOW, body: `{"N":${n}}`,
  } satisfies DeliveryRecord));
const KEY = deliveryKey({ webhookId: 1, aggregateKey: 'contract:100' });

function harness(answers: Outcome['kind'][] | ((body: string) => Outcome), hook = webhook()) {
  const sent: OutgoingRequest[] = [];
  const attempts: AttemptRecord[] = [];
  const forwarded: { key: string; envelope: RetryEnvelope; topic: number; record: Buffer }[] = [];
  const dead: { key: string; letter: DeliveryDeadLetter; alert: Alert }[] = [];
  const notices: FailureNotice[] = [];
  const observed: string[] = [];
  const warned: string[] = [];
  let clock = NOW;
  const parking = new MemoryParking(() => clock);
  const script = Array.isArray(answers) ? [...answers] : undefined;
  const outbox: Outbox = {
    forward: async (key, _eventId, rec, envelope, topic) => void forwarded.push({ key, envelope, topic, record: rec }),
    deadLetter: async (key, letter, alert) => void dead.push({ key, letter, alert }),
  };
  let current = hook;
  const worker = new DeliveryWorker(
    {
      webhooks: { webhook: (id) => (id === current.id ? current : undefined) },
      decode: (rec) => new ReceivedDelivery(JSON.parse(rec.toString()) as DeliveryRecord),
      transport: {
        send: async (req) => {
          sent.push(req);
          if (!script) return { outcome: (answers as (b: string) => Outcome)(req.body ?? ''), latencyMs: 5, responseExcerpt: null };
          const kind = script.shift() ?? 'success';
          const outcome: Outcome = kind === 'success' ? { kind, status: 200 } : kind === 'retryable' ? { kind, status: 503, error: 'HTTP 503', retryAfterMs: null } : { kind, status: 400, error: 'HTTP 400' };
          return { outcome, latencyMs: 5, responseExcerpt: '{"ok":false}' };
        },
      },
      attemptLog: { record: (a) => void attempts.push(a) },
      parking,
      outbox,
      notices: { add: (n) => void notices.push(n) },
      logger: createLogger('silent'),
      warnings: { warn: (message, group) => void warned.push(`${message}: webhook ${group['webhookId']}, ${group['reason']}`) },
      now: () => clock,
      observer: {
        attempted: (id, outcome, latencyMs) => void observed.push(`${id} ${outcome} ${latencyMs}ms`),
        deadLettered: (id) => void observed.push(`${id} dead-lettered`),
        deferred: (id) => void observed.push(`${id} deferred`),
      },
    },
    { schedule: DEFAULT_SCHEDULE, maxInFlightPerWebhook: 2, breakerThreshold: 2 },
  );
  return { worker, sent, attempts, forwarded, dead, notices, observed, warned, parking, setWebhook: (w: ResolvedWebhook) => void (current = w), advanceClock: (ms: number) => void (clock += ms) };
}

const bodies = (sent: OutgoingRequest[]) => sent.map((r) => JSON.parse(r.body!).N as number);

describe('delivery worker', () => {
  it('sends a first attempt, logs it, and leaves nothing parked', async () => {
    const h = harness(['success']);
    await h.worker.firstAttempt(KEY, record(1), new Set());
    expect(bodies(h.sent)).toEqual([1]);
    expect(h.attempts).toMatchObject([{ deliveryId: 'd-1', attempt: 1, outcome: 'success', status: 200, responseExcerpt: '{"ok":false}' }]);
    expect(h.worker.stats.delivered).toBe(1);
    expect(h.parking.heads.size).toBe(0);
  });

  it('forwards a retryable failure to the first retry step and parks its key; later deliveries queue behind it', async () => {
    const h = harness(['retryable']);
    await h.worker.firstAttempt(KEY, record(1), new Set());
    expect(h.forwarded).toMatchObject([{ key: KEY, topic: 1, envelope: { attempt: 2, dueAt: NOW + 10_000, history: [{ attempt: 1, status: 503, error: 'HTTP 503' }] } }]);
    expect(h.parking.heads.get(KEY)).toMatchObject({ deliveryId: 'd-1', attempt: 2, state: 'waiting' });
    await h.worker.firstAttempt(KEY, record(2), new Set());
    await h.worker.firstAttempt(KEY, record(3), new Set());
    expect(bodies(h.sent)).toEqual([1]);
    expect(h.worker.stats.queuedBehind).toBe(2);
  });

  it('after the retry succeeds, sends what queued behind the key in order, then unparks it', async () => {
    const h = harness(['retryable', 'success', 'success', 'success']);
    await h.worker.firstAttempt(KEY, record(1), new Set());
    await h.worker.firstAttempt(KEY, record(2), new Set());
    await h.worker.firstAttempt(KEY, record(3), new Set());
    await h.worker.retryAttempt(KEY, h.forwarded[0]!.record, h.forwarded[0]!.envelope);
    expect(bodies(h.sent)).toEqual([1, 1, 2, 3]);
    expect(h.attempts.map((a) => [a.deliveryId, a.attempt])).toEqual([['d-1', 1], ['d-1', 2], ['d-2', 1], ['d-3', 1]]);
    expect(h.parking.heads.size).toBe(0);
    // Unparked: the next one goes straight out.
    await h.worker.firstAttempt(KEY, record(4), new Set());
    expect(bodies(h.sent)).toEqual([1, 1, 2, 3, 4]);
  });

  it('stops draining when a queued delivery fails in turn: it becomes the key head', async () => {
    const h = harness(['retryable', 'success', 'retryable']);
    await h.worker.firstAttempt(KEY, record(1), new Set());
    await h.worker.firstAttempt(KEY, record(2), new Set());
    await h.worker.firstAttempt(KEY, record(3), new Set());
    await h.worker.retryAttempt(KEY, h.forwarded[0]!.record, h.forwarded[0]!.envelope);
    expect(bodies(h.sent)).toEqual([1, 1, 2]);
    expect(h.parking.heads.get(KEY)).toMatchObject({ deliveryId: 'd-2', attempt: 2, state: 'waiting' });
    expect(h.parking.queues.get(KEY)?.map((q) => q.deliveryId)).toEqual(['d-3']);
  });

  it('dead-letters a permanent failure at once, with an alert and an e-mail saying the partner refused it (status and answer)', async () => {
    const h = harness(['permanent']);
    await h.worker.firstAttempt(KEY, record(1), new Set());
    expect(h.dead).toMatchObject([{ key: KEY, letter: { reason: 'falha permanente: HTTP 400', attempts: [{ status: 400 }] }, alert: { type: 'delivery_failed' } }]);
    expect(h.notices).toMatchObject([{ kind: 'partner_refused', status: 400, webhookId: 1, emails: ['ops@isp.com.br'], attempts: 1 }]);
    expect(h.notices[0]!.lastError).toMatch(/^HTTP 400/);
    expect(h.forwarded).toEqual([]);
  });

  it("dead-letters at the webhook's attempt limit, counting the first send", async () => {
    const h = harness(['retryable', 'retryable', 'retryable']);
    await h.worker.firstAttempt(KEY, record(1), new Set());
    await h.worker.retryAttempt(KEY, h.forwarded[0]!.record, h.forwarded[0]!.envelope);
    await h.worker.retryAttempt(KEY, h.forwarded[1]!.record, h.forwarded[1]!.envelope);
    expect(h.forwarded.map((f) => f.envelope.attempt)).toEqual([2, 3]);
    expect(h.dead).toMatchObject([{ letter: { reason: 'limite de tentativas atingido (3)' } }]);
    expect(h.dead[0]!.letter.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(h.parking.heads.size).toBe(0);
  });

  it('defers first attempts, unsent and uncounted, while the circuit is open; a success closes it', async () => {
    const h = harness(['retryable', 'retryable', 'success']);
    const other = (n: number) => deliveryKey({ webhookId: 1, aggregateKey: `contract:${n}` });
    await h.worker.firstAttempt(other(1), record(1, 1), new Set());
    await h.worker.firstAttempt(other(2), record(2, 2), new Set());
    await h.worker.firstAttempt(other(3), record(3, 3), new Set());
    expect(bodies(h.sent)).toEqual([1, 2]);
    expect(h.worker.stats.deferred).toBe(1);
    // Operators hear of it when the circuit opens, not days later at the attempt limit.
    expect(h.notices).toMatchObject([{ kind: 'circuit_open', webhookId: 1, emails: ['ops@isp.com.br'] }]);
    expect(h.notices[0]!.lastError).toContain('A integradora parou de responder: 2 falhas seguidas');
    expect(h.forwarded[2]).toMatchObject({ key: other(3), topic: 1, envelope: { attempt: 1, history: [] } });
    await h.worker.retryAttempt(other(3), h.forwarded[2]!.record, h.forwarded[2]!.envelope);
    await h.worker.firstAttempt(other(4), record(4, 4), new Set());
    expect(bodies(h.sent)).toEqual([1, 2, 3, 4]);
  });

  it('dead-letters, without an e-mail, a delivery whose webhook was switched off or removed', async () => {
    const h = harness([]);
    h.setWebhook(webhook({ active: false }));
    await h.worker.firstAttempt(KEY, record(1), new Set());
    h.setWebhook(webhook({ id: 2 }));
    await h.worker.firstAttempt(KEY, record(2), new Set());
    expect(h.dead.map((x) => x.letter.reason)).toEqual(['webhook inativo', 'webhook removido']);
    expect(h.sent).toEqual([]);
    expect(h.notices).toEqual([]);
    // Warned of by webhook and reason, so a flood of them is summed up (util/repeated-warnings.ts).
    expect(h.warned).toEqual(['delivery dead-lettered: webhook 1, webhook inativo', 'delivery dead-lettered: webhook 1, webhook removido']);
  });

  it('queues behind a key parked by another process, found when partitions were assigned', async () => {
    const h = harness([]);
    await h.parking.park(KEY, 'd-0', 2, record(0), NOW);
    await h.worker.firstAttempt(KEY, record(1), await h.worker.parkedKeys());
    expect(h.sent).toEqual([]);
    expect(h.parking.queues.get(KEY)).toHaveLength(1);
  });
  it('drops a retry record that is not its key\'s current head: a duplicate after the head was delivered', async () => {
    const h = harness(['retryable', 'success', 'success']);
    await h.worker.firstAttempt(KEY, record(1), new Set());
    await h.worker.firstAttempt(KEY, record(2), new Set());
    const retry = h.forwarded[0]!;
    await h.worker.retryAttempt(KEY, retry.record, retry.envelope);
    // The same retry record again (a crash before its offset was committed): stale, not sent after d-2.
    await h.worker.retryAttempt(KEY, retry.record, retry.envelope);
    expect(bodies(h.sent)).toEqual([1, 1, 2]);
    expect(h.worker.stats.stale).toBe(1);
  });

  it('drops a duplicate retry record once the head moved on to a later attempt', async () => {
    const h = harness(['retryable', 'retryable', 'success']);
    await h.worker.firstAttempt(KEY, record(1), new Set());
    const first = h.forwarded[0]!;
    await h.worker.retryAttempt(KEY, first.record, first.envelope);
    expect(h.parking.heads.get(KEY)).toMatchObject({ deliveryId: 'd-1', attempt: 3 });
    await h.worker.retryAttempt(KEY, first.record, first.envelope);
    expect(bodies(h.sent)).toEqual([1, 1]);
    expect(h.worker.stats.stale).toBe(1);
  });

  it('parks before forwarding: a head read again after a crash is forwarded again, never sent ahead of its retry', async () => {
    const h = harness(['retryable']);
    // A crash after the key was parked and before the retry record was written: the record is read again.
    await h.parking.park(KEY, 'd-1', 2, record(1), NOW);
    await h.worker.firstAttempt(KEY, record(1), await h.worker.parkedKeys());
    expect(h.sent).toEqual([]);
    expect(h.forwarded).toMatchObject([{ key: KEY, envelope: { attempt: 2 } }]);
  });

  it('queues a failed first attempt behind a head another process parked meanwhile, without forwarding it', async () => {
    const h = harness(['retryable']);
    // The cache does not know the key is parked (another process parked it after this one read the parked keys).
    const sending = h.worker.firstAttempt(KEY, record(1), new Set());
    await h.parking.park(KEY, 'd-0', 2, record(0), NOW);
    await sending;
    expect(h.forwarded).toEqual([]);
    expect(h.parking.queues.get(KEY)?.map((q) => q.deliveryId)).toEqual(['d-1']);
  });

  it('takes up a drain that died: a stale retry record finds the key\'s head being sent, and sends it on', async () => {
    const h = harness(['success', 'success']);
    await h.parking.park(KEY, 'd-1', 2, record(1), NOW);
    await h.parking.queueBehind(KEY, 'd-2', record(2));
    await h.parking.queueBehind(KEY, 'd-3', record(3));
    // A drain took d-2 from the queue and died before settling it.
    await h.parking.settle(KEY, 'd-1', 2);
    await h.worker.retryAttempt(KEY, record(1), { attempt: 2, dueAt: NOW, history: [] });
    expect(bodies(h.sent)).toEqual([2, 3]);
    expect(h.parking.heads.size).toBe(0);
  });

  it('sends again the head of a key that stopped moving, through the first retry step', async () => {
    const h = harness([]);
    await h.parking.park(KEY, 'd-1', 3, record(1), NOW);
    expect(await h.worker.reviveStuck(60_000, 10_000)).toBe(0);
    h.advanceClock(61_000);
    expect(await h.worker.reviveStuck(60_000, 10_000)).toBe(1);
    expect(h.forwarded).toMatchObject([{ key: KEY, topic: 1, envelope: { attempt: 3, dueAt: NOW + 61_000 } }]);
    expect(h.parking.heads.get(KEY)).toMatchObject({ deliveryId: 'd-1', attempt: 3, state: 'waiting', movedAt: NOW + 61_000 });
  });

  it('tells its observer every attempt, dead letter and deferral, per webhook (the metrics)', async () => {
    const h = harness(['retryable', 'retryable', 'permanent']);
    const other = (n: number) => deliveryKey({ webhookId: 1, aggregateKey: `contract:${n}` });
    await h.worker.firstAttempt(other(1), record(1, 1), new Set());
    await h.worker.firstAttempt(other(2), record(2, 2), new Set());
    // The circuit is open (threshold 2): deferred, unsent.
    await h.worker.firstAttempt(other(3), record(3, 3), new Set());
    await h.worker.retryAttempt(other(1), h.forwarded[0]!.record, h.forwarded[0]!.envelope);
    expect(h.observed).toEqual(['1 retryable 5ms', '1 retryable 5ms', '1 deferred', '1 permanent 5ms', '1 dead-lettered']);
    expect(h.worker.openCircuits()).toEqual([1]);
  });
});
