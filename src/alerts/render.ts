// The alert e-mail for one webhook, in Brazilian Portuguese with the ERP's
// labels, for the webhook's "Lista de E-mails". Everything operators must hear
// of a webhook within a digest window goes into one e-mail: deliveries that
// reached the attempt limit or that the partner refused, deliveries the
// partner's rules refused (the client's data), the partner no longer
// answering (its circuit open), the webhook becoming invalid or valid again,
// and malformed addresses in the list. Pure: AlertDigest (digest.ts) batches
// the notices and sends what this renders.
import { redactUrl } from '../util/redact.js';

/**
 * What a notice tells. Delivery notices name a contract (one line each, the
 * first MAX_LISTED listed); webhook notices concern the whole webhook.
 */
export type NoticeKind =
  | 'attempts_exhausted'
  | 'partner_refused'
  | 'request_invalid'
  | 'partner_rules'
  | 'circuit_open'
  | 'webhook_invalid'
  | 'webhook_valid'
  | 'alert_emails_invalid';

const WEBHOOK_KINDS: ReadonlySet<NoticeKind> = new Set(['circuit_open', 'webhook_invalid', 'webhook_valid', 'alert_emails_invalid']);

export interface FailureNotice {
  /** Absent: attempts_exhausted (the attempt limit reached). */
  readonly kind?: NoticeKind;
  readonly webhookId: number;
  readonly webhookName: string;
  /** Masked (util/redact.ts): the e-mail never carries a query token. */
  readonly url: string;
  /** The valid addresses of the webhook's Lista de E-mails: the recipients. */
  readonly emails: readonly string[];
  readonly contractId: number | null;
  readonly eventId: string;
  readonly attempts: number;
  /** The last error (attempts), the partner's answer (partner_refused), or what the notice says (other kinds), already in Portuguese. */
  readonly lastError: string;
  readonly at: Date;
  /** partner_refused: the partner's HTTP status. */
  readonly status?: number | null;
}

/** The failures an e-mail lists one by one; the rest are a count. */
export const MAX_LISTED = 20;

/**
 * One webhook's notices within a digest window, in constant space: the first
 * MAX_LISTED delivery notices and the first MAX_LISTED webhook notices, and
 * how many of each kind there were. A partner down for a minute can fail tens
 * of thousands of deliveries; keeping every notice (or copying a list per
 * notice) is what blocked the event loop for seconds.
 */
export interface WebhookFailures {
  /** Delivery notices (one contract each). */
  readonly listed: FailureNotice[];
  /** Webhook notices (invalid, valid again, circuit open, malformed addresses). */
  readonly webhook: FailureNotice[];
  /** Delivery notices in all. */
  total: number;
  readonly counts: Partial<Record<NoticeKind, number>>;
  /** The recipients: the latest notice's (the list may have been fixed meanwhile). */
  emails: readonly string[];
}

const kindOf = (n: FailureNotice): NoticeKind => n.kind ?? 'attempts_exhausted';

/** A window's accumulator, started by its first notice. */
export function firstFailure(notice: FailureNotice): WebhookFailures {
  const failures: WebhookFailures = { listed: [], webhook: [], total: 0, counts: {}, emails: notice.emails };
  addFailure(failures, notice);
  return failures;
}

/** Counts one more notice into the accumulator, O(1): listed only while there is room. */
export function addFailure(failures: WebhookFailures, notice: FailureNotice): void {
  const kind = kindOf(notice);
  failures.counts[kind] = (failures.counts[kind] ?? 0) + 1;
  failures.emails = notice.emails;
  if (WEBHOOK_KINDS.has(kind)) {
    if (failures.webhook.length < MAX_LISTED) failures.webhook.push(notice);
    return;
  }
  failures.total += 1;
  if (failures.listed.length < MAX_LISTED) failures.listed.push(notice);
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Subject phrases per kind, for the count of that kind. */
const SUBJECT: Record<NoticeKind, (n: number) => string> = {
  attempts_exhausted: (n) => `${n} ${n === 1 ? 'envio atingiu' : 'envios atingiram'} o limite de tentativas`,
  partner_refused: (n) => `${n} ${n === 1 ? 'envio recusado' : 'envios recusados'} pela integradora`,
  request_invalid: (n) => `${n} ${n === 1 ? 'envio impossível' : 'envios impossíveis'} como configurado`,
  partner_rules: (n) => `${n} ${n === 1 ? 'envio bloqueado' : 'envios bloqueados'} pelas regras da integradora`,
  circuit_open: () => 'a integradora parou de responder',
  webhook_invalid: () => 'webhook inativo (configuração inválida)',
  webhook_valid: () => 'configuração válida novamente',
  alert_emails_invalid: () => 'endereço inválido na Lista de E-mails',
};

const ORDER: readonly NoticeKind[] = ['webhook_invalid', 'webhook_valid', 'alert_emails_invalid', 'circuit_open', 'partner_refused', 'request_invalid', 'partner_rules', 'attempts_exhausted'];

function line(n: FailureNotice): string {
  const when = n.at.toISOString();
  switch (kindOf(n)) {
    case 'attempts_exhausted':
      return `- Contrato ${n.contractId ?? '-'}: ${plural(n.attempts, 'tentativa', 'tentativas')}, último erro: ${n.lastError} (${when}, evento ${n.eventId})`;
    case 'partner_refused':
      return `- Contrato ${n.contractId ?? '-'}: recusado pela integradora${n.status ? ` (HTTP ${n.status})` : ''}: ${n.lastError} (${when}, evento ${n.eventId})`;
    case 'request_invalid':
      return `- Contrato ${n.contractId ?? '-'}: envio impossível como configurado: ${n.lastError} (${when}, evento ${n.eventId})`;
    case 'partner_rules':
      return `- Contrato ${n.contractId ?? '-'}: envio bloqueado: ${n.lastError} (${when}, evento ${n.eventId})`;
    default:
      return `- ${n.lastError} (${when})`;
  }
}

/** The e-mail for one webhook's notices, pure. */
export function renderDigest(failures: WebhookFailures): { subject: string; text: string } {
  const first = failures.webhook[0] ?? failures.listed[0]!;
  const kinds = ORDER.filter((k) => (failures.counts[k] ?? 0) > 0);
  const subject = `[Reativa] Webhook "${first.webhookName}": ${kinds.map((k) => SUBJECT[k](failures.counts[k]!)).join('; ')}`;
  const deliveries = failures.total;
  const others = deliveries - Math.min(deliveries, failures.listed.length);
  const onlyAttempts = kinds.length === 1 && kinds[0] === 'attempts_exhausted';
  const header = onlyAttempts
    ? `O webhook "${first.webhookName}" (Manutenções / Integrações / Interações Webhooks) não conseguiu integrar ${plural(deliveries, 'envio', 'envios')}.`
    : `Avisos do webhook "${first.webhookName}" (Manutenções / Integrações / Interações Webhooks).`;
  const lines = [
    header,
    '',
    `Webhook: ${first.webhookName} (código ${first.webhookId})`,
    // Masked again here, where the URL leaves: e-mail travels and is kept far from Reativa.
    `Url: ${redactUrl(first.url)}`,
    '',
    ...failures.webhook.map(line),
    ...failures.listed.slice(0, MAX_LISTED).map(line),
    ...(others > 0 ? [`… e mais ${others} ${others === 1 ? 'falha' : 'falhas'}.`] : []),
  ];
  const blocked = failures.counts.partner_rules ?? 0;
  if (blocked > 0) {
    // The letter keeps the delivery as routed, its body as at the change's commit (dead-letters/redrive-plan.ts).
    lines.push(
      '',
      'Envios bloqueados pelas regras da integradora: corrija o cadastro no ERP. Corrigido o Produto/Serviço ("Utiliza Streaming"), reenvie com `reativa dlq redrive`; ' +
        'o envio guardado traz os dados do cliente do momento da alteração, então dados do cliente corrigidos seguem na próxima alteração do contrato.',
    );
  }
  if (deliveries > blocked) {
    lines.push('', 'Os envios estão no tópico reativa.deliveries.dlq e podem ser reenviados com `reativa dlq redrive` depois de corrigido o problema.');
  }
  return { subject, text: lines.join('\n') };
}
