import { describe, expect, it } from 'vitest';
import type { ResolvedWebhook } from '../../../src/config/webhooks.js';
import type { Delivery } from '../../../src/contracts/delivery.js';
import { deliveryFailure } from '../../../src/delivery/failures.js';

const d = { eventId: 'e', deliveryId: 'd', webhookId: 3, url: 'https://partner/hook', contractId: 100, kind: 'standard', entity: 'contracts', action: 'update' } as Delivery;
const webhook = { id: 3, name: 'Watch', url: 'https://partner/hook', alertEmails: ['a@x.com'] } as unknown as ResolvedWebhook;
const now = new Date('2026-11-29T12:00:00Z');
const history = [
  { at: 't1', attempt: 1, status: 503, error: 'HTTP 503', latencyMs: 10 },
  { at: 't2', attempt: 2, status: null, error: 'ECONNRESET: socket hang up', latencyMs: 20 },
];

describe('delivery failures', () => {
  it('keep every attempt and the record for redrive, and tell operators the last error', () => {
    const f = deliveryFailure(d, Buffer.from('avro'), webhook, history, 'limite de tentativas atingido (2)', true, now);
    expect(f.letter).toMatchObject({ stage: 'delivery', reason: 'limite de tentativas atingido (2)', webhookName: 'Watch', attempts: history, record: Buffer.from('avro').toString('base64'), eventId: 'e', contractId: 100 });
    expect(f.alert.message).toBe('Webhook "Watch": contrato 100 não integrado após 2 tentativas: ECONNRESET: socket hang up');
    expect(f.notice).toMatchObject({ emails: ['a@x.com'], attempts: 2, lastError: 'ECONNRESET: socket hang up', at: now });
  });

  it('send no e-mail when asked not to, or when the webhook is gone', () => {
    expect(deliveryFailure(d, Buffer.alloc(0), webhook, [], 'webhook inativo', false, now).notice).toBeUndefined();
    const gone = deliveryFailure(d, Buffer.alloc(0), undefined, [], 'webhook removido', true, now);
    expect(gone.notice).toBeUndefined();
    expect(gone.alert.message).toBe('Webhook "3": contrato 100 não integrado após 0 tentativas: webhook removido');
  });
});
