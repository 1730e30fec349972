import { describe, expect, it } from 'vitest';
import type { ResolvedWebhook } from '../../../src/config/webhooks.js';
import type { TriggerEvent } from '../../../src/contracts/trigger-event.js';
import { rejection } from '../../../src/routing/rejections.js';

describe('rejections by partner rules', () => {
  it('become a dead letter keyed like the delivery, and an alert naming the contract and what is missing', () => {
    const event = { eventId: 'e-1', aggregateKey: 'contract:100', contractId: 100, kind: 'contract_service_change', action: 'insert' } as TriggerEvent;
    const webhook = { id: 3, name: 'Watch' } as ResolvedWebhook;
    const r = rejection(event, webhook, ['cliente sem celular'], new Date('2026-11-29T12:00:00Z'));
    expect(r.key).toBe('3|contract:100');
    expect(r.letter).toEqual({
      stage: 'partner_rules', reason: 'cliente sem celular', reasons: ['cliente sem celular'], failedAt: '2026-11-29T12:00:00.000Z',
      eventId: 'e-1', webhookId: 3, webhookName: 'Watch', contractId: 100, kind: 'contract_service_change', action: 'insert', attempts: [],
    });
    expect(r.alert).toMatchObject({ type: 'client_data_missing', message: 'Contrato 100: envio ao webhook "Watch" bloqueado: cliente sem celular' });
  });
});
