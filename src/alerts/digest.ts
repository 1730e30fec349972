// Alert e-mails for deliveries that ran out of attempts or failed for good,
// in Brazilian Portuguese with the ERP's labels, to the webhook's "Lista de
// E-mails caso chegue ao máximo de tentativas". Failures of one webhook within
// a window become one e-mail with a count, never one e-mail each.
import type { Transporter } from 'nodemailer';
import type { Logger } from '../log.js';
import { renderDigest, type FailureNotice } from './render.js';

export type { FailureNotice };

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
