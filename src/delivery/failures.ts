// What a delivery that is given up becomes, pure: its dead letter (with every
// attempt and the record as routed, so it can be redriven), the operators'
// alert, and the notice for the alert e-mail, all in the ERP's Portuguese.
import type { FailureNotice, NoticeKind } from '../alerts/render.js';
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
  /** What the e-mail says: the attempt limit reached (default), or the partner's refusal (a 4xx) and its answer. */
  refusal?: { readonly status: number | null; readonly answer: string | null },
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
  // A 4xx is the partner saying no, not the limit reached: the e-mail says so, with its status and what it answered.
  const kind: NoticeKind = refusal ? (refusal.status !== null ? 'partner_refused' : 'request_invalid') : 'attempts_exhausted';
  const said = refusal?.answer ? `${lastError}: ${oneLine(refusal.answer)}` : lastError;
  const notice: FailureNotice | undefined =
    mail && webhook
      ? { kind, webhookId: webhook.id, webhookName: webhook.name, url: redactUrl(webhook.url), emails: webhook.alertEmails, contractId: d.contractId, eventId: d.eventId, attempts: history.length, lastError: said, at: now, status: refusal?.status ?? null }
      : undefined;
  return { letter, alert: a, notice };
}

/** The partner's answer, on one line and short: an e-mail names the reason, it does not carry a page of HTML. */
const ANSWER_CHARS = 300;
function oneLine(answer: string): string {
  const flat = answer.replace(/\s+/g, ' ').trim();
  return flat.length > ANSWER_CHARS ? `${flat.slice(0, ANSWER_CHARS)}…` : flat;
}

/** The e-mail notice for a webhook whose circuit opened: the partner stopped answering, its new deliveries wait. */
export function circuitOpenNotice(webhook: ResolvedWebhook, failures: number, lastError: string, now: Date): FailureNotice {
  return {
    kind: 'circuit_open',
    webhookId: webhook.id,
    webhookName: webhook.name,
    url: redactUrl(webhook.url),
    emails: webhook.alertEmails,
    contractId: null,
    eventId: '',
    attempts: failures,
    lastError: `A integradora parou de responder: ${failures} falhas seguidas (último erro: ${lastError}). Os novos envios aguardam nas novas tentativas, em ordem, e seguem assim que ela voltar a responder.`,
    at: now,
  };
}
