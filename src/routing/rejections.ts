// A delivery refused by the partner's rules (the client lacks data the partner
// requires), pure: its dead letter and the operators' alert, in Portuguese.
import { alert, type Alert } from '../contracts/alert.js';
import type { DeliveryDeadLetter } from '../contracts/dead-letter.js';
import { deliveryKey } from '../contracts/delivery.js';
import type { TriggerEvent } from '../contracts/trigger-event.js';
import type { ResolvedWebhook } from '../config/webhooks.js';

export interface Rejection {
  readonly key: string;
  readonly letter: DeliveryDeadLetter;
  readonly alert: Alert;
}

export function rejection(event: TriggerEvent, webhook: ResolvedWebhook, reasons: readonly string[], now: Date): Rejection {
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
    },
    alert: alert(
      'client_data_missing',
      webhook,
      `Contrato ${event.contractId ?? '-'}: envio ao webhook "${webhook.name}" bloqueado: ${reasons.join('; ')}`,
      { eventId: event.eventId, contractId: event.contractId, reasons },
      event.eventId,
      now,
    ),
  };
}
