// A delivery refused by the partner's rules (the client lacks data the partner
// requires, or a product is not registered for streaming), pure: its dead
// letter, the operators' alert and the notice for the webhook's e-mail, in
// Portuguese with the ERP's labels: the client, the contract, what is missing.
import type { FailureNotice } from '../alerts/render.js';
import { alert, type Alert } from '../contracts/alert.js';
import { deliveryFields, type DeliveryDeadLetter } from '../contracts/dead-letter.js';
import { deliveryKey, type Delivery } from '../contracts/delivery.js';
import type { TriggerEvent } from '../contracts/trigger-event.js';
import type { ResolvedWebhook } from '../config/webhooks.js';
import { redactUrl } from '../util/redact.js';
import type { RefusalDetail } from './route.js';

export interface Rejection {
  readonly key: string;
  readonly letter: DeliveryDeadLetter;
  readonly alert: Alert;
  readonly notice: FailureNotice;
}

/** "Cliente "Maria" (código 10), contrato 100: falta Telefone: cliente sem Telefone nem Celular". */
export function refusalText(detail: RefusalDetail, reasons: readonly string[]): string {
  const client = detail.clientName !== null ? `Cliente "${detail.clientName}"${detail.clientId !== null ? ` (código ${detail.clientId})` : ''}` : 'Cliente';
  const missing = detail.fields.length > 0 ? ` falta ${detail.fields.join(', ')} válido no cadastro de pessoas;` : '';
  return `${client}, contrato ${detail.contractId ?? '-'}:${missing} ${reasons.join('; ')}`;
}

/**
 * The letter keeps the event's change log offset (`changeOffset`): `reativa
 * dlq redrive` sends that change back to the mapper, mapped with the ERP's
 * data as of the redrive and for this webhook only, so a client fixed since is
 * sent fixed (dead-letters/redrive-plan.ts). `kept`: the delivery as it would
 * have been sent and its Avro record, also kept, for people reading the letter
 * and for events no change caused (their redrive sends it as it was).
 */
export function rejection(
  event: TriggerEvent,
  webhook: ResolvedWebhook,
  reasons: readonly string[],
  now: Date,
  detail?: RefusalDetail,
  kept?: { readonly delivery: Delivery; readonly record: Buffer },
): Rejection {
  const text = refusalText(detail ?? { clientId: null, clientName: null, contractId: event.contractId, fields: [] }, reasons);
  return {
    key: deliveryKey({ webhookId: webhook.id, aggregateKey: event.aggregateKey }),
    letter: {
      stage: 'partner_rules',
      reason: reasons.join('; '),
      reasons,
      failedAt: now.toISOString(),
      eventId: event.eventId,
      webhookId: webhook.id,
      webhookName: webhook.name,
      contractId: event.contractId,
      kind: event.kind,
      action: event.action,
      attempts: [],
      ...(kept ? { ...deliveryFields(kept.delivery), record: kept.record.toString('base64') } : {}),
      ...(event.changeOffset !== null && event.changeOffset !== undefined ? { changeOffset: String(event.changeOffset) } : {}),
    },
    alert: alert(
      'client_data_missing',
      webhook,
      `Webhook "${webhook.name}": envio bloqueado pelas regras da integradora: ${text}`,
      { eventId: event.eventId, contractId: event.contractId, reasons, ...(detail ? { clientId: detail.clientId, missing: detail.fields } : {}) },
      event.eventId,
      now,
    ),
    notice: {
      kind: 'partner_rules',
      webhookId: webhook.id,
      webhookName: webhook.name,
      url: redactUrl(webhook.url),
      emails: webhook.alertEmails,
      contractId: event.contractId,
      eventId: event.eventId,
      attempts: 0,
      lastError: text,
      at: now,
    },
  };
}
