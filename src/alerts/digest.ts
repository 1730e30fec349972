// Alert e-mails, in Brazilian Portuguese with the ERP's labels, to the
// webhook's "Lista de E-mails caso chegue ao máximo de tentativas": deliveries
// that ran out of attempts, that the partner refused or that its rules
// blocked, the partner no longer answering, the webhook invalid or valid
// again (render.ts). Notices of one webhook within a window become one e-mail
// with a count, never one e-mail each.
//
// Two things this must survive:
// - a burst: `add` is O(1) and each webhook's window holds at most MAX_LISTED
//   notices and a count (render.ts), however many deliveries fail;
// - an SMTP outage: an e-mail that fails with a retryable error (connection
//   refused, a timeout, a 4xx reply) is waited out with backoff (util/retry.ts),
//   the outage reported once to the OutageReporter (readiness goes false), and
//   failures that arrive meanwhile keep accumulating, bounded, in their windows.
//   A 5xx reply is permanent: logged, and that e-mail is dropped. close() waits
//   for held-up e-mails only so long, then logs what it could not send.
import type { MailTransport as Transport } from './mailer.js';
import { classifyError } from '../errors/classify.js';
import { PermanentError } from '../errors/permanent-error.js';
import { Health } from '../health/health.js';
import type { Logger } from '../log.js';
import { DEFAULT_BACKOFF, waitOut, type Backoff, type OutageReporter } from '../util/retry.js';
import { addFailure, firstFailure, renderDigest, type FailureNotice, type WebhookFailures } from './render.js';

export type { FailureNotice };

/** What the digest needs of the mail transport (tests pass a fake). */
export type MailTransport = Pick<Transport, 'sendMail'>;

export interface DigestOptions {
  /** Backoff between attempts while SMTP is away (default 200 ms doubling to 15 s). */
  readonly backoff?: Backoff;
  /** How long close() waits for e-mails held up by an outage before giving up on them (default 10 s). */
  readonly closeTimeoutMs?: number;
}

/** The name the outage is reported under (logs, /readyz). */
export const SMTP_DEPENDENCY = 'SMTP (alert e-mails)';

export class AlertDigest {
  /** Each webhook's open window; a webhook with one is either timed (`timers`) or `due`. */
  private readonly pending = new Map<number, WebhookFailures>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  /** Webhooks whose window ended, in order, waiting for the sender. Their windows stay open until picked. */
  private readonly due = new Set<number>();
  /** The one sender loop, while it runs: e-mails go one at a time, so an outage is waited out once. */
  private sender: Promise<void> | undefined;
  private inFlight: { webhookId: number; failures: number } | undefined;
  private abandoned = false;
  private readonly reporter: OutageReporter;
  private readonly backoff: Backoff;
  private readonly closeTimeoutMs: number;

  constructor(
    private readonly transport: MailTransport,
    private readonly from: string,
    private readonly windowMs: number,
    private readonly logger: Logger,
    reporter?: OutageReporter,
    options: DigestOptions = {},
  ) {
    // Without a process-wide Health, one of our own still logs the outage once, not per retry.
    this.reporter = reporter ?? new Health(logger);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  }

  add(notice: FailureNotice): void {
    if (notice.emails.length === 0) return;
    const id = notice.webhookId;
    const open = this.pending.get(id);
    if (open) {
      addFailure(open, notice);
      return;
    }
    this.pending.set(id, firstFailure(notice));
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        this.due.add(id);
        void this.pump();
      }, this.windowMs),
    );
  }

  /** Starts the sender loop unless it runs; resolves when it has nothing left. */
  private pump(): Promise<void> {
    this.sender ??= this.drain().finally(() => {
      this.sender = undefined;
      // A window that ended just as the loop finished.
      if (this.due.size > 0) void this.pump();
    });
    return this.sender;
  }

  private async drain(): Promise<void> {
    // A Set iterates over what is added while it iterates: windows that end
    // during an outage are sent after it, in order.
    for (const id of this.due) {
      this.due.delete(id);
      // Taken only now, so failures that came while earlier e-mails waited are in it.
      const failures = this.pending.get(id);
      this.pending.delete(id);
      if (failures && !this.abandoned) await this.send(id, failures);
    }
  }

  private async send(webhookId: number, failures: WebhookFailures): Promise<void> {
    this.inFlight = { webhookId, failures: failures.total };
    try {
      const { subject, text } = renderDigest(failures);
      const mail = { from: this.from, to: [...failures.emails], subject, text };
      await waitOut(
        SMTP_DEPENDENCY,
        async () => {
          // close() gave up on this e-mail (and said so): no attempt after that.
          if (this.abandoned) throw new PermanentError('alert digest closed');
          return this.transport.sendMail(mail);
        },
        this.reporter,
        this.backoff,
        () => this.abandoned,
      );
      this.logger.info({ webhookId, failures: failures.total }, 'alert e-mail sent');
    } catch (error) {
      if (this.abandoned) return;
      // The server answered (a 5xx, say): it is not down, whatever came before.
      if (classifyError(error) === 'permanent') this.reporter.up(SMTP_DEPENDENCY);
      // The dead-letter records and reativa.alerts still hold every failure.
      this.logger.error({ err: error, webhookId, failures: failures.total }, 'alert e-mail could not be sent');
    } finally {
      this.inFlight = undefined;
    }
  }

  /**
   * Sends every open window now and waits for the sender, at most
   * closeTimeoutMs: an SMTP outage must not hold a shutdown forever. What is
   * still unsent then is logged (webhook and count) and dropped.
   */
  async close(): Promise<void> {
    for (const [id, timer] of this.timers) {
      clearTimeout(timer);
      this.due.add(id);
    }
    this.timers.clear();
    const drained = (async () => {
      while (this.sender || this.due.size > 0) await this.pump();
    })();
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<true>((resolve) => {
      deadline = setTimeout(() => resolve(true), this.closeTimeoutMs);
    });
    const late = await Promise.race([drained.then(() => false), timedOut]);
    clearTimeout(deadline);
    if (!late) return;
    this.abandoned = true;
    const unsent = [
      ...(this.inFlight ? [this.inFlight] : []),
      ...[...this.pending].map(([webhookId, f]) => ({ webhookId, failures: f.total })),
    ];
    this.pending.clear();
    this.due.clear();
    this.logger.error(
      { unsent, failures: unsent.reduce((sum, u) => sum + u.failures, 0), waitedMs: this.closeTimeoutMs },
      'alert e-mails not sent: SMTP still unavailable at shutdown (the failures are in reativa.deliveries.dlq and reativa.alerts)',
    );
  }
}
