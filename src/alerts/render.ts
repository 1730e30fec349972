// The alert e-mail for one webhook's failures, in Brazilian Portuguese with the
// ERP's labels, for the webhook's "Lista de E-mails". Pure: AlertDigest
// (digest.ts) batches the notices and sends what this renders.
import { redactUrl } from '../util/redact.js';

export interface FailureNotice {
  readonly webhookId: number;
  readonly webhookName: string;
  /** Masked (util/redact.ts): the e-mail never carries a query token. */
  readonly url: string;
  readonly emails: readonly string[];
  readonly contractId: number | null;
  readonly eventId: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly at: Date;
}

/** The failures an e-mail lists one by one; the rest are a count. */
export const MAX_LISTED = 20;

/**
 * One webhook's failures within a digest window, in constant space: the first
 * MAX_LISTED notices (the first one also names the webhook and the recipients)
 * and how many there were in all. A partner down for a minute can fail tens of
 * thousands of deliveries; keeping every notice (or copying a list per notice)
 * is what blocked the event loop for seconds.
 */
export interface WebhookFailures {
  readonly listed: FailureNotice[];
  total: number;
}

/** A window's accumulator, started by its first notice. */
export function firstFailure(notice: FailureNotice): WebhookFailures {
  return { listed: [notice], total: 1 };
}

/** Counts one more failure into the accumulator, O(1): listed only while there is room. */
export function addFailure(failures: WebhookFailures, notice: FailureNotice): void {
  failures.total += 1;
  if (failures.listed.length < MAX_LISTED) failures.listed.push(notice);
}

/** The e-mail for one webhook's failures, pure. */
export function renderDigest(failures: WebhookFailures): { subject: string; text: string } {
  const first = failures.listed[0]!;
  const count = failures.total;
  const others = count - Math.min(count, failures.listed.length);
  const subject = `[Reativa] Webhook "${first.webhookName}": ${count} ${count === 1 ? 'envio atingiu' : 'envios atingiram'} o limite de tentativas`;
  const lines = [
    `O webhook "${first.webhookName}" (Manutenções / Integrações / Interações Webhooks) não conseguiu integrar ${count} ${count === 1 ? 'envio' : 'envios'}.`,
    '',
    `Webhook: ${first.webhookName} (código ${first.webhookId})`,
    // Masked again here, where the URL leaves: e-mail travels and is kept far from Reativa.
    `Url: ${redactUrl(first.url)}`,
    '',
    ...failures.listed.slice(0, MAX_LISTED).map(
      (n) =>
        `- Contrato ${n.contractId ?? '-'}: ${n.attempts} ${n.attempts === 1 ? 'tentativa' : 'tentativas'}, último erro: ${n.lastError} (${n.at.toISOString()}, evento ${n.eventId})`,
    ),
    ...(others > 0 ? [`… e mais ${others} ${others === 1 ? 'falha' : 'falhas'}.`] : []),
    '',
    'Os envios estão no tópico reativa.deliveries.dlq e podem ser reenviados com `reativa dlq redrive` depois de corrigido o problema.',
  ];
  return { subject, text: lines.join('\n') };
}
