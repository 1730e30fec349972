// The delivery worker, pure logic over ports (ports.ts): one attempt and what
// follows from it, per (webhook, contract) key.
//   - A first attempt goes out unless its key is parked (then it queues behind
//     the key's head) or its webhook's circuit is open (then it is deferred,
//     unsent and uncounted, to the first retry step).
//   - A retryable failure parks the key, then forwards the delivery to its
//     retry topic; a permanent one, or the attempt limit, dead-letters it.
//   - Only a key's current head is ever retried (ParkingPort: compare-and-set
//     on the head and its attempt); other retry records are dropped as stale.
//   - Once a parked key's head succeeds or is dead-lettered, what queued
//     behind it goes out, in order, each in turn the key's head.
// The runner (src/stages/delivery) feeds it records and owns offsets.
import type { AttemptSummary } from '../contracts/dead-letter.js';
import type { ReceivedDelivery } from '../contracts/delivery.js';
import type { RetryEnvelope } from '../contracts/retry-envelope.js';
import { webhookOfDeliveryKey } from '../contracts/delivery.js';
import type { ResolvedWebhook } from '../config/webhooks.js';
import type { Logger } from '../log.js';
import { Breakers } from './breaker.js';
import { circuitOpenNotice, deliveryFailure } from './failures.js';
import type { AttemptLogPort, DeliveryDecoder, DeliveryObserver, Notices, Outbox, ParkedHead, ParkingPort, Transport, WebhookSource } from './ports.js';
import { redactValues } from '../util/redact.js';
import { buildRequest } from './request.js';
import { nextRetry, type RetrySchedule } from './retry-policy.js';
import { Semaphore } from '../util/semaphore.js';
import { RepeatedWarnings } from '../util/repeated-warnings.js';

export interface WorkerOptions {
  readonly schedule: RetrySchedule;
  readonly maxInFlightPerWebhook: number;
  /** Retryable failures in a row after which a webhook's first attempts are deferred to the retry path. */
  readonly breakerThreshold: number;
}

export interface WorkerPorts {
  readonly webhooks: WebhookSource;
  readonly decode: DeliveryDecoder;
  readonly transport: Transport;
  readonly attemptLog: AttemptLogPort;
  readonly parking: ParkingPort;
  readonly outbox: Outbox;
  readonly notices: Notices;
  readonly logger: Logger;
  /** Dead letters are warned of through it, a few per webhook and reason in full and the rest summed up (util/repeated-warnings.ts); each one, on the logger, by default. */
  readonly warnings?: Pick<RepeatedWarnings, 'warn'>;
  readonly now?: () => number;
  /** Counts outcomes per webhook for the process's metrics. */
  readonly observer?: DeliveryObserver;
}

export interface DeliveryStats {
  delivered: number;
  retried: number;
  deadLettered: number;
  queuedBehind: number;
  /** First attempts deferred to the retry path, unsent, while their webhook's circuit was open. */
  deferred: number;
  /** Retry records dropped because they were not their key's current head (duplicates, or handled elsewhere). */
  stale: number;
  /** Heads of keys that had stopped moving, sent again. */
  revived: number;
}

/** 'done': the delivery left delivery's hands (sent, or dead-lettered); otherwise the retry it needs. */
export type Settled = 'done' | { readonly retry: RetryEnvelope; readonly retryTopicIndex: number };

export class DeliveryWorker {
  readonly stats: DeliveryStats = { delivered: 0, retried: 0, deadLettered: 0, queuedBehind: 0, deferred: 0, stale: 0, revived: 0 };
  private readonly semaphores = new Map<number, Semaphore>();
  private readonly breakers: Breakers;
  private readonly now: () => number;
  private readonly warnings: Pick<RepeatedWarnings, 'warn'>;
  // A fast path, not the truth: keys parked as of the current assignment (read
  // once after it) plus those parked here. A key the cache misses can only have
  // been parked by a previous owner of the partition over a delivery that this
  // process reads again and sends first (its offset was not committed), so
  // order holds; a key unparked since is found out under its lock.
  private readonly parkedHere = new Set<string>();
  private parkedKnown: Promise<Set<string>> | undefined;

  constructor(
    private readonly ports: WorkerPorts,
    private readonly options: WorkerOptions,
  ) {
    this.breakers = new Breakers(options.breakerThreshold);
    this.now = ports.now ?? Date.now;
    this.warnings = ports.warnings ?? new RepeatedWarnings(ports.logger, Number.POSITIVE_INFINITY);
  }

  /** The in-flight slots of one webhook. */
  slotsOf(webhookId: number): Semaphore {
    let semaphore = this.semaphores.get(webhookId);
    if (!semaphore) this.semaphores.set(webhookId, (semaphore = new Semaphore(this.options.maxInFlightPerWebhook)));
    return semaphore;
  }

  /** The webhooks whose circuit is open: their first attempts are deferred to the retry path. */
  openCircuits(): number[] {
    return this.breakers.openWebhooks();
  }

  /** Partitions moved: read the parked keys again before the next first attempt. */
  forgetParkedKeys(): void {
    this.parkedKnown = undefined;
  }

  /** The parked keys as of the current assignment (read once per assignment). */
  parkedKeys(): Promise<Set<string>> {
    return (this.parkedKnown ??= this.ports.parking.all());
  }

  /**
   * A delivery from reativa.deliveries. The webhook's in-flight slot is taken
   * before the record is decoded: what waits for a slot stays a raw record,
   * not a decoded delivery, which keeps the garbage collector's young
   * generation small under read-ahead.
   */
  async firstAttempt(key: string, record: Buffer, parkedNow: Set<string>): Promise<void> {
    const slots = this.slotsOf(webhookOfDeliveryKey(key));
    if (!slots.tryAcquire()) await slots.acquire();
    let result: Settled | 'queued';
    let d: ReceivedDelivery;
    try {
      const decoding = this.ports.decode(record);
      d = decoding instanceof Promise ? await decoding : decoding;
      result = await this.firstAttemptHolding(key, d, record, slots, parkedNow);
    } finally {
      slots.release();
    }
    if (result === 'done' || result === 'queued') return;
    // Parked before its retry record is written: nothing can overtake it.
    this.parkedHere.add(key);
    if ((await this.ports.parking.park(key, d.deliveryId, result.retry.attempt, record, result.retry.dueAt)) === 'head') await this.forward(key, d.eventId, record, result);
    else this.stats.queuedBehind += 1;
  }

  /**
   * A delivery from a retry topic, now due. Only the key's current head, for
   * the attempt the key waits for, is sent; any other retry record is stale (a
   * duplicate left by a crash, or one another process already handled) and is
   * dropped. A key whose drain died mid-way is taken up again here.
   */
  async retryAttempt(key: string, record: Buffer, envelope: RetryEnvelope): Promise<void> {
    const d = await this.decoded(record);
    const head = await this.ports.parking.head(key);
    if (head?.state === 'sending') return this.drain(key, head);
    // Attempt 0: a key parked before heads kept their attempt (migration 004); its next retry record is its own.
    if (!head || head.deliveryId !== d.deliveryId || (head.attempt !== envelope.attempt && head.attempt !== 0)) {
      this.stats.stale += 1;
      this.ports.logger.debug({ key, deliveryId: d.deliveryId, attempt: envelope.attempt, head }, 'stale retry record dropped');
      return;
    }
    const result = await this.attempt(key, d, record, envelope.attempt, envelope.history);
    if (result === 'done') return this.drain(key, await this.ports.parking.settle(key, d.deliveryId, head.attempt));
    if (await this.ports.parking.advance(key, d.deliveryId, head.attempt, result.retry.attempt, result.retry.dueAt)) await this.forward(key, d.eventId, record, result);
  }

  /** After a key's head left delivery's hands: send what queued behind it, in order, each as the key's head. */
  async drain(key: string, first: ParkedHead | null): Promise<void> {
    for (let head = first; head; ) {
      const d = await this.decoded(head.record);
      const result = await this.attempt(key, d, head.record, 1, []);
      if (result !== 'done') {
        if (await this.ports.parking.advance(key, head.deliveryId, head.attempt, result.retry.attempt, result.retry.dueAt)) await this.forward(key, d.eventId, head.record, result);
        return;
      }
      head = await this.ports.parking.settle(key, head.deliveryId, head.attempt);
    }
  }

  /**
   * Keys that stopped moving — a head whose retry is long overdue (its record
   * lost to a crash between moving the head and writing the record), or a
   * drain that died — have their head sent again through the first retry
   * step, marked first as waiting for it, so the old record, should it turn
   * up, is stale.
   */
  async reviveStuck(overdueMs: number, sendingMs: number, limit = 100): Promise<number> {
    let revived = 0;
    for (const { key, head } of await this.ports.parking.stuck(overdueMs, sendingMs, limit)) {
      const attempt = head.state === 'sending' ? 1 : head.attempt;
      const dueAt = this.now();
      if (!(await this.ports.parking.revive(key, head.deliveryId, head.attempt, attempt, dueAt))) continue;
      const d = await this.decoded(head.record);
      await this.forward(key, d.eventId, head.record, { retry: { attempt, dueAt, history: [] }, retryTopicIndex: 1 });
      this.ports.logger.warn({ key, deliveryId: head.deliveryId, attempt, state: head.state }, 'parked key had stopped moving: its head is sent again');
      revived += 1;
    }
    this.stats.revived += revived;
    return revived;
  }

  private decoded(record: Buffer): Promise<ReceivedDelivery> {
    return Promise.resolve(this.ports.decode(record));
  }

  private async forward(key: string, eventId: string, record: Buffer, settled: Exclude<Settled, 'done'>): Promise<void> {
    await this.ports.outbox.forward(key, eventId, record, settled.retry, settled.retryTopicIndex);
  }

  /** A first attempt, holding `slots` (the key's webhook's); 'queued' when its key is parked. */
  private async firstAttemptHolding(key: string, d: ReceivedDelivery, record: Buffer, slots: Semaphore, parkedNow: Set<string>): Promise<Settled | 'queued'> {
    if (parkedNow.has(key) || this.parkedHere.has(key)) {
      const queued = await this.ports.parking.queueBehind(key, d.deliveryId, record);
      if (queued === 'queued') {
        this.stats.queuedBehind += 1;
        return 'queued';
      }
      if (queued !== 'free') {
        // This delivery is its key's head already: its record was read again
        // after a crash, perhaps before its retry record was written. Write
        // it (again: a duplicate is dropped as stale), never send it here.
        if (queued.head.state === 'waiting') await this.forward(key, d.eventId, record, { retry: { attempt: queued.head.attempt, dueAt: this.now() + this.options.schedule.delaysMs[0]!, history: [] }, retryTopicIndex: 1 });
        return 'queued';
      }
      this.parkedHere.delete(key);
      parkedNow.delete(key);
    }
    // The slot is the one attempt() would take only if the record belongs to the webhook its key names.
    return this.attempt(key, d, record, 1, [], true, this.slotsOf(d.webhookId) === slots);
  }

  /**
   * One attempt; a retryable failure answers the retry it needs (the caller
   * parks or advances the key, then forwards). `mayDefer`: a first attempt
   * from the main path, deferred instead of sent while the webhook's circuit
   * is open. `slotHeld`: the caller holds the webhook's in-flight slot.
   */
  async attempt(key: string, d: ReceivedDelivery, record: Buffer, attemptNo: number, history: readonly AttemptSummary[], mayDefer = false, slotHeld = false): Promise<Settled> {
    const { ports, options, stats } = this;
    const webhook = ports.webhooks.webhook(d.webhookId);
    // Its secrets (URL, header values…) never read from the ERP yet, the ERP
    // away since this process started: not sent (it would go out without
    // them), not counted, not given up; tried again after the first retry step.
    if (webhook?.enabled && webhook.secretsPending) {
      stats.deferred += 1;
      ports.observer?.deferred(d.webhookId);
      return { retry: { attempt: attemptNo, dueAt: this.now() + options.schedule.delaysMs[0]!, history }, retryTopicIndex: 1 };
    }
    if (!webhook?.active) {
      await this.deadLetter(key, d, record, webhook, history, webhook ? 'webhook inativo' : 'webhook removido', false);
      return 'done';
    }
    if (mayDefer && this.breakers.isOpen(webhook.id)) {
      stats.deferred += 1;
      ports.observer?.deferred(webhook.id);
      return { retry: { attempt: 1, dueAt: this.now() + options.schedule.delaysMs[0]!, history: [] }, retryTopicIndex: 1 };
    }
    const semaphore = slotHeld ? undefined : this.slotsOf(webhook.id);
    if (semaphore && !semaphore.tryAcquire()) await semaphore.acquire();
    const startedAt = new Date(this.now());
    let result;
    try {
      result = await ports.transport.send(buildRequest(d, webhook, startedAt.getTime(), d.bodyText));
    } finally {
      semaphore?.release();
    }
    const { outcome } = result;
    ports.observer?.attempted(webhook.id, outcome.kind, result.latencyMs);
    const change = this.breakers.record(webhook.id, outcome.kind);
    if (change === 'opened') {
      ports.logger.warn({ webhookId: webhook.id, failures: options.breakerThreshold }, 'webhook failing: first attempts are deferred to the retry path until an attempt succeeds');
      // Operators hear of it now, not days later at the attempt limit.
      ports.notices.add(circuitOpenNotice(webhook, options.breakerThreshold, redactValues(outcome.kind === 'success' ? '' : outcome.error, webhook.secrets ?? []), new Date(this.now())));
    }
    if (change === 'closed') ports.logger.info({ webhookId: webhook.id }, 'webhook answering again: first attempts are sent again');
    const status = outcome.status;
    // A partner's answer or a client error may echo a secret the request carried
    // ("invalid token …", a URL): masked before it reaches the attempt log, retry
    // headers, dead letters, alerts and e-mails. (Hand-built webhooks may lack the list.)
    const secrets = webhook.secrets ?? [];
    const error = outcome.kind === 'success' ? null : redactValues(outcome.error, secrets);
    ports.attemptLog.record({
      deliveryId: d.deliveryId, eventId: d.eventId, webhookId: d.webhookId, contractId: d.contractId, attempt: attemptNo, attemptedAt: startedAt,
      outcome: outcome.kind, status, latencyMs: result.latencyMs, error, responseExcerpt: redactValues(result.responseExcerpt, secrets),
    });
    if (outcome.kind === 'success') {
      stats.delivered += 1;
      return 'done';
    }
    const tried = [...history, { at: startedAt.toISOString(), attempt: attemptNo, status, error, latencyMs: Math.round(result.latencyMs) }].slice(-50);
    if (outcome.kind === 'permanent') {
      // Dead-lettered at once: no retry would change the partner's mind. The e-mail says it refused (status and answer).
      const answer = redactValues(result.responseExcerpt, secrets);
      await this.deadLetter(key, d, record, webhook, tried, `falha permanente: ${error}`, true, { status, answer });
      return 'done';
    }
    const decision = nextRetry(options.schedule, attemptNo, webhook.maxAttempts, this.now(), outcome.retryAfterMs);
    if (!decision.retry) {
      await this.deadLetter(key, d, record, webhook, tried, `limite de tentativas atingido (${webhook.maxAttempts})`, true);
      return 'done';
    }
    stats.retried += 1;
    ports.logger.info({ webhookId: d.webhookId, deliveryId: d.deliveryId, attempt: attemptNo, error, nextAttempt: decision.attempt, dueAt: new Date(decision.dueAt).toISOString() }, 'delivery will be retried');
    return { retry: { attempt: decision.attempt, dueAt: decision.dueAt, history: tried }, retryTopicIndex: decision.retryTopicIndex };
  }

  private async deadLetter(
    key: string,
    d: ReceivedDelivery,
    record: Buffer,
    webhook: ResolvedWebhook | undefined,
    history: readonly AttemptSummary[],
    reason: string,
    mail: boolean,
    refusal?: { readonly status: number | null; readonly answer: string | null },
  ): Promise<void> {
    const failure = deliveryFailure(d, record, webhook, history, reason, mail, new Date(this.now()), refusal);
    await this.ports.outbox.deadLetter(key, failure.letter, failure.alert);
    this.stats.deadLettered += 1;
    this.ports.observer?.deadLettered(d.webhookId);
    this.warnings.warn('delivery dead-lettered', { webhookId: d.webhookId, reason }, { deliveryId: d.deliveryId, eventId: d.eventId, contractId: d.contractId, attempts: history.length });
    if (failure.notice) this.ports.notices.add(failure.notice);
  }
}
