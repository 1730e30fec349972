// What a delivery that is given up becomes, pure: its dead letter (with every
// attempt and the record as routed, so it can be redriven), the operators'
// alert, and the notice for the alert e-mail, all in the ERP's Portuguese.
import type { FailureNotice } from '../alerts/render.js';
import { alert, type Alert } from '../contracts/alert.js';
import { deliveryFields, type AttemptSummary, type DeliveryDeadLetter } from '../contracts/dead-letter.js';
import type { Delivery } from '../contracts/delivery.js';
import type { ResolvedWebhook } from '../config/webhooks.js';
import { redactUrl } from '../util/redact.js';

export interface DeliveryFailure {
  readonly letter: DeliveryDeadLetter;
  readonly alert: Alert;
  /** For the alert e-mail; none when the webhook is gone or nobody is to be told. */
  readonly notice: FailureNotice | undefined;
}

export function deliveryFailure(
  d: Delivery,
  record: Buffer,
  webhook: ResolvedWebhook | undefined,
  history: readonly AttemptSummary[],
  reason: string,
  mail: boolean,
  now: Date,
): DeliveryFailure {
  const letter: DeliveryDeadLetter = {
    stage: 'delivery',
    reason,
    failedAt: now.toISOString(),
    ...deliveryFields(d),
    webhookName: webhook?.name ?? null,
    attempts: history,
    record: record.toString('base64'),
  };
  const last = history[history.length - 1];
  const lastError = last?.error ?? (last?.status ? `HTTP ${last.status}` : reason);
  const tries = `${history.length} ${history.length === 1 ? 'tentativa' : 'tentativas'}`;
  const a = alert(
    'delivery_failed',
    { id: d.webhookId, name: webhook?.name ?? String(d.webhookId) },
    `Webhook "${webhook?.name ?? d.webhookId}": contrato ${d.contractId ?? '-'} não integrado após ${tries}: ${lastError}`,
    { eventId: d.eventId, deliveryId: d.deliveryId, contractId: d.contractId, reason, attempts: history.length },
    d.deliveryId,
    now,
  );
  const notice =
    mail && webhook
      ? { webhookId: webhook.id, webhookName: webhook.name, url: redactUrl(webhook.url), emails: webhook.alertEmails, contractId: d.contractId, eventId: d.eventId, attempts: history.length, lastError, at: now }
      : undefined;
  return { letter, alert: a, notice };
}
