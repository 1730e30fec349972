import { describe, expect, it } from 'vitest';
import type { ResolvedWebhook } from '../../../src/config/webhooks.js';
import type { Delivery } from '../../../src/contracts/delivery.js';
import type { TriggerEvent } from '../../../src/contracts/trigger-event.js';
import { rejection } from '../../../src/routing/rejections.js';

describe('rejections by partner rules', () => {
  it('become a dead letter keyed like the delivery, and an alert naming the contract and what is missing', () => {
    const event = { eventId: 'e-1', aggregateKey: 'contract:100', contractId: 100, kind: 'contract_service_change', action: 'insert' } as TriggerEvent;
    const webhook = { id: 3, name: 'Watch', url: 'https://partner.example/hook?token=s3cr3t', alertEmails: ['ops@x.com'] } as unknown as ResolvedWebhook;
    const r = rejection(event, webhook, ['cliente sem celular'], new Date('2026-11-29T12:00:00Z'));
    expect(r.key).toBe('3|contract:100');
    expect(r.letter).toEqual({
      stage: 'partner_rules', reason: 'cliente sem celular', reasons: ['cliente sem celular'], failedAt: '2026-11-29T12:00:00.000Z',
      eventId: 'e-1', webhookId: 3, webhookName: 'Watch', contractId: 100, kind: 'contract_service_change', action: 'insert', attempts: [],
    });
    expect(r.alert).toMatchObject({ type: 'client_data_missing', message: 'Webhook "Watch": envio bloqueado pelas regras da integradora: Cliente, contrato 100: cliente sem celular' });
  });

  it("tell operators by e-mail which client, which contract and which field of the cadastro de pessoas", () => {
    const event = { eventId: 'e-1', aggregateKey: 'contract:100', contractId: 100, kind: 'contract_service_change', action: 'insert' } as TriggerEvent;
    const webhook = { id: 3, name: 'Exa', url: 'https://partner.example/hook?token=s3cr3t', alertEmails: ['ops@x.com'] } as unknown as ResolvedWebhook;
    const r = rejection(event, webhook, ['cliente sem Telefone nem Celular'], new Date('2026-11-29T12:00:00Z'), { clientId: 10, clientName: 'Maria', contractId: 100, fields: ['Telefone'] });
    expect(r.notice).toMatchObject({ kind: 'partner_rules', webhookId: 3, emails: ['ops@x.com'], contractId: 100, eventId: 'e-1' });
    expect(r.notice.lastError).toBe('Cliente "Maria" (código 10), contrato 100: falta Telefone válido no cadastro de pessoas; cliente sem Telefone nem Celular');
    expect(r.notice.url).not.toContain('s3cr3t');
  });

  it('keep the delivery as it would have been sent, for `reativa dlq redrive`', () => {
    const event = { eventId: 'e-1', aggregateKey: 'contract:100', contractId: 100, kind: 'contract_service_change', action: 'insert' } as TriggerEvent;
    const webhook = { id: 3, name: 'DIRECTV GO', url: 'https://partner.example/hook', alertEmails: [] } as unknown as ResolvedWebhook;
    const delivery = { eventId: 'e-1', deliveryId: 'd-1', webhookId: 3, url: 'https://partner.example/hook?token=s3cr3t', contractId: 100, kind: 'contract_service_change', entity: null, action: 'insert' } as unknown as Delivery;
    const r = rejection(event, webhook, ['Produto/Serviço "HBO" (código 1) sem "Utiliza Streaming" = Sim'], new Date(0), undefined, { delivery, record: Buffer.from([1, 2, 3]) });
    expect(r.letter).toMatchObject({ stage: 'partner_rules', deliveryId: 'd-1', url: 'https://partner.example/hook?token=***', record: 'AQID' });
    expect(r.letter).not.toHaveProperty('changeOffset');
  });

  it("keep the change log offset of the event's change, so a redrive maps it again with the data fixed since", () => {
    const event = { eventId: 'e-1', aggregateKey: 'contract:100', contractId: 100, kind: 'contract_service_change', action: 'insert', changeOffset: 4821 } as TriggerEvent;
    const webhook = { id: 3, name: 'Exa', url: 'https://partner.example/hook', alertEmails: [] } as unknown as ResolvedWebhook;
    expect(rejection(event, webhook, ['cliente sem Telefone nem Celular'], new Date(0)).letter).toMatchObject({ eventId: 'e-1', webhookId: 3, changeOffset: '4821' });
  });
});
