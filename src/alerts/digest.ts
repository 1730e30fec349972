// Alert e-mails for deliveries that ran out of attempts or failed for good,
// in Brazilian Portuguese with the ERP's labels, to the webhook's "Lista de
// E-mails caso chegue ao máximo de tentativas". Failures of one webhook within
// a window become one e-mail with a count, never one e-mail each.
import type { Transporter } from 'nodemailer';
import type { Logger } from '../log.js';

export interface FailureNotice {
  readonly webhookId: number;
  readonly webhookName: string;
  readonly url: string;
  readonly emails: readonly string[];
  readonly contractId: number | null;
  readonly eventId: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly at: Date;
}

const MAX_LISTED = 20;

/** The e-mail for one webhook's failures, pure. */
export function renderDigest(notices: readonly FailureNotice[]): { subject: string; text: string } {
  const first = notices[0]!;
  const count = notices.length;
  const subject = `[Reativa] Webhook "${first.webhookName}": ${count} ${count === 1 ? 'envio atingiu' : 'envios atingiram'} o limite de tentativas`;
  const lines = [
    `O webhook "${first.webhookName}" (Manutenções / Integrações / Interações Webhooks) não conseguiu integrar ${count} ${count === 1 ? 'envio' : 'envios'}.`,
    '',
    `Webhook: ${first.webhookName} (código ${first.webhookId})`,
    `Url: ${first.url}`,
    '',
    ...notices.slice(0, MAX_LISTED).map(
      (n) =>
        `- Contrato ${n.contractId ?? '-'}: ${n.attempts} ${n.attempts === 1 ? 'tentativa' : 'tentativas'}, último erro: ${n.lastError} (${n.at.toISOString()}, evento ${n.eventId})`,
    ),
    ...(count > MAX_LISTED ? [`… e mais ${count - MAX_LISTED} envios.`] : []),
    '',
    'Os envios estão no tópico reativa.deliveries.dlq e podem ser reenviados com `reativa dlq redrive` depois de corrigido o problema.',
  ];
  return { subject, text: lines.join('\n') };
}

export class AlertDigest {
  private readonly pending = new Map<number, FailureNotice[]>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly transport: Transporter,
    private readonly from: string,
    private readonly windowMs: number,
    private readonly logger: Logger,
  ) {}

  add(notice: FailureNotice): void {
    if (notice.emails.length === 0) return;
    this.pending.set(notice.webhookId, [...(this.pending.get(notice.webhookId) ?? []), notice]);
    if (!this.timers.has(notice.webhookId)) {
      this.timers.set(notice.webhookId, setTimeout(() => void this.flush(notice.webhookId), this.windowMs));
    }
  }

  private flush(webhookId: number): Promise<void> {
    clearTimeout(this.timers.get(webhookId));
    this.timers.delete(webhookId);
    const notices = this.pending.get(webhookId) ?? [];
    this.pending.delete(webhookId);
    if (notices.length === 0) return this.sending;
    const { subject, text } = renderDigest(notices);
    this.sending = this.sending.then(async () => {
      try {
        await this.transport.sendMail({ from: this.from, to: [...notices[0]!.emails], subject, text });
        this.logger.info({ webhookId, failures: notices.length }, 'alert e-mail sent');
      } catch (error) {
        // The dead-letter records and reativa.alerts still hold every failure.
        this.logger.error({ err: error, webhookId, failures: notices.length }, 'alert e-mail could not be sent');
      }
    });
    return this.sending;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pending.keys()].map((id) => this.flush(id)));
    await this.sending;
  }
}
