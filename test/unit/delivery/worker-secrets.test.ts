// The delivery worker and secrets: a webhook whose secrets were never read
// from the ERP is deferred, not sent and not given up; whatever a partner
// echoes of a secret is masked before it is logged or dead-lettered.
import { describe, expect, it } from 'vitest';
import type { ResolvedWebhook } from '../../../src/config/webhooks.js';
import type { DeliveryDeadLetter } from '../../../src/contracts/dead-letter.js';
import { deliveryKey, ReceivedDelivery } from '../../../src/contracts/delivery.js';
import type { DeliveryRecord } from '../../../src/contracts/generated/delivery.js';
import type { RetryEnvelope } from '../../../src/contracts/retry-envelope.js';
import type { Outcome } from '../../../src/delivery/outcome.js';
import type { AttemptRecord } from '../../../src/delivery/ports.js';
import type { OutgoingRequest } from '../../../src/delivery/request.js';
import { DEFAULT_SCHEDULE } from '../../../src/delivery/retry-policy.js';
import { DeliveryWorker } from '../../../src/delivery/worker.js';
import type { FailureNotice } from '../../../src/alerts/render.js';
import { createLogger } from '../../../src/log.js';
import { MemoryParking } from '../../support/memory-parking.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const KEY = deliveryKey({ webhookId: 1, aggregateKey: 'contract:100' });

const webhook = (patch: Partial<ResolvedWebhook>): ResolvedWebhook =>
  ({
    id: 1, name: 'Parceiro', method: 'POST', url: 'https://partner.example/hook?token=q-s3cr3t', maxAttempts: 1, alertEmails: ['ops@isp.com.br'],
    headers: [{ name: 'Authorization', value: 'Bearer h-s3cr3t-value' }], parameters: [], enabled: true, active: true, secretsPending: false,
    secrets: ['q-s3cr3t', 'Bearer h-s3cr3t-value', 'h-s3cr3t-value'], problems: [], ...patch,
  }) as ResolvedWebhook;

const record = Buffer.from(JSON.stringify({
  deliveryId: 'd-1', eventId: 'e-1', webhookId: 1, integratorId: 7, contractId: 100, aggregateKey: 'contract:100',
  kind: 'standard', entity: 'contracts', action: 'update', method: 'POST', url: 'https://partner.example/hook?token=***', committedAt: NOW, routedAt: NOW, body: '{"N":1}',
} satisfies DeliveryRecord));

function harness(hook: ResolvedWebhook, answer: Outcome, excerpt: string | null) {
  const sent: OutgoingRequest[] = [];
  const attempts: AttemptRecord[] = [];
  const forwarded: RetryEnvelope[] = [];
  const dead: DeliveryDeadLetter[] = [];
  const notices: FailureNotice[] = [];
  const worker = new DeliveryWorker(
    {
      webhooks: { webhook: () => hook },
      decode: (rec) => new ReceivedDelivery(JSON.parse(rec.toString()) as DeliveryRecord),
      transport: { send: async (req) => (sent.push(req), { outcome: answer, latencyMs: 5, responseExcerpt: excerpt }) },
      attemptLog: { record: (a) => void attempts.push(a) },
      parking: new MemoryParking(() => NOW),
      outbox: { forward: async (_k, _e, _r, envelope) => void forwarded.push(envelope), deadLetter: async (_k, letter) => void dead.push(letter) },
      notices: { add: (n) => void notices.push(n) },
      logger: createLogger('silent'),
      now: () => NOW,
    },
    { schedule: DEFAULT_SCHEDULE, maxInFlightPerWebhook: 2, breakerThreshold: 5 },
  );
  return { worker, sent, attempts, forwarded, dead, notices };
}

describe('delivery worker and secrets', () => {
  it('defers, unsent and uncounted, a delivery whose webhook still waits for its secrets', async () => {
    const h = harness(webhook({ active: false, secretsPending: true }), { kind: 'success', status: 200 }, null);
    await h.worker.firstAttempt(KEY, record, new Set());
    expect(h.sent).toEqual([]);
    expect(h.dead).toEqual([]);
    expect(h.forwarded).toMatchObject([{ attempt: 1, dueAt: NOW + DEFAULT_SCHEDULE.delaysMs[0]!, history: [] }]);
    expect(h.worker.stats.deferred).toBe(1);
  });

  it('sends to the real URL with the real headers', async () => {
    const h = harness(webhook({}), { kind: 'success', status: 200 }, null);
    await h.worker.firstAttempt(KEY, record, new Set());
    expect(h.sent[0]).toMatchObject({ url: 'https://partner.example/hook?token=q-s3cr3t' });
    expect(h.sent[0]!.headers).toContainEqual(['Authorization', 'Bearer h-s3cr3t-value']);
  });

  it('masks a secret the partner echoes, in the attempt log, the dead letter and the e-mail notice', async () => {
    const h = harness(webhook({}), { kind: 'permanent', status: 401, error: 'HTTP 401: token h-s3cr3t-value refused' }, '{"error":"bad token q-s3cr3t"}');
    await h.worker.firstAttempt(KEY, record, new Set());
    const written = JSON.stringify({ attempts: h.attempts, dead: h.dead, notices: h.notices });
    expect(written).not.toMatch(/s3cr3t/);
    expect(h.attempts[0]).toMatchObject({ error: 'HTTP 401: token *** refused', responseExcerpt: '{"error":"bad token ***"}' });
    expect(h.dead[0]?.url).toBe('https://partner.example/hook?token=***');
    expect(h.notices[0]?.url).toBe('https://partner.example/hook?token=***');
  });
});
