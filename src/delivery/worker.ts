// The delivery worker, pure logic over ports (ports.ts): one attempt and what
// follows from it, per (webhook, contract) key.
//   - A first attempt goes out unless its key is parked (then it queues behind
//     the key's head) or its webhook's circuit is open (then it is deferred,
//     unsent and uncounted, to the first retry step).
//   - A retryable failure forwards the delivery to its retry topic and parks
//     the key; a permanent one, or the attempt limit, dead-letters it.
//   - Once a parked key's head succeeds or is dead-lettered, what queued
//     behind it goes out, in order.
// The runner (src/stages/delivery) feeds it records and owns offsets.
import type { AttemptSummary } from '../contracts/dead-letter.js';
import type { ReceivedDelivery } from '../contracts/delivery.js';
import type { RetryEnvelope } from '../contracts/retry-envelope.js';
import { webhookOfDeliveryKey } from '../contracts/delivery.js';
import type { ResolvedWebhook } from '../config/webhooks.js';
import type { Logger } from '../log.js';
import { Breakers } from './breaker.js';
import { deliveryFailure } from './failures.js';
import type { AttemptLogPort, DeliveryDecoder, Notices, Outbox, ParkingPort, Transport, WebhookSource } from './ports.js';
import { buildRequest } from './request.js';
import { nextRetry, type RetrySchedule } from './retry-policy.js';
import { Semaphore } from './semaphore.js';

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
  readonly now?: () => number;
}

export interface DeliveryStats {
  delivered: number;
  retried: number;
  deadLettered: number;
  queuedBehind: number;
  /** First attempts deferred to the retry path, unsent, while their webhook's circuit was open. */
  deferred: number;
}

/** 'done': the delivery left delivery's hands (sent, or dead-lettered); 'parked': it waits in a retry topic. */
export type Settled = 'done' | 'parked';

export class DeliveryWorker {
  readonly stats: DeliveryStats = { delivered: 0, retried: 0, deadLettered: 0, queuedBehind: 0, deferred: 0 };
  private readonly semaphores = new Map<number, Semaphore>();
  private readonly breakers: Breakers;
  private readonly now: () => number;
  // Keys of our partitions are parked only by the owner of the partition (us)
  // and unparked by the retry path; so the parked keys read once per
  // assignment, plus those we park, are all a key could be parked by. A key
  // unparked since is found out by queueBehind, which then lets the delivery go.
  private readonly parkedHere = new Set<string>();
  private parkedKnown: Promise<Set<string>> | undefined;

  constructor(
    private readonly ports: WorkerPorts,
    private readonly options: WorkerOptions,
  ) {
    this.breakers = new Breakers(options.breakerThreshold);
    this.now = ports.now ?? Date.now;
  }

  /** The in-flight slots of one webhook. */
  slotsOf(webhookId: number): Semaphore {
    let semaphore = this.semaphores.get(webhookId);
    if (!semaphore) this.semaphores.set(webhookId, (semaphore = new Semaphore(this.options.maxInFlightPerWebhook)));
    return semaphore;
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
    if (result === 'parked') {
      await this.ports.parking.park(key, d.deliveryId);
      this.parkedHere.add(key);
    }
  }

  /** A delivery from a retry topic, now due; then, if it left our hands, what queued behind its key. */
  async retryAttempt(key: string, record: Buffer, envelope: RetryEnvelope): Promise<void> {
    const d = await this.decoded(record);
    if ((await this.attempt(key, d, record, envelope.attempt, envelope.history)) === 'done') await this.drain(key);
  }

  /** After a key's head succeeded or was dead-lettered: send what queued behind it, in order. */
  async drain(key: string): Promise<void> {
    for (;;) {
      const queued = await this.ports.parking.next(key);
      if (!queued) return;
      const d = await this.decoded(queued.record);
      const result = await this.attempt(key, d, queued.record, 1, []);
      await this.ports.parking.done(key, queued.seq, result === 'parked' ? d.deliveryId : undefined);
      if (result === 'parked') return;
    }
  }

  private decoded(record: Buffer): Promise<ReceivedDelivery> {
    return Promise.resolve(this.ports.decode(record));
  }

  /** A first attempt, holding `slots` (the key's webhook's); 'queued' when its key is parked. */
  private async firstAttemptHolding(key: string, d: ReceivedDelivery, record: Buffer, slots: Semaphore, parkedNow: Set<string>): Promise<Settled | 'queued'> {
    if (parkedNow.has(key) || this.parkedHere.has(key)) {
      if (await this.ports.parking.queueBehind(key, d.deliveryId, record)) {
        this.stats.queuedBehind += 1;
        return 'queued';
      }
      this.parkedHere.delete(key);
      parkedNow.delete(key);
    }
    // The slot is the one attempt() would take only if the record belongs to the webhook its key names.
    return this.attempt(key, d, record, 1, [], true, this.slotsOf(d.webhookId) === slots);
  }

  /**
   * One attempt; a retryable failure forwards the delivery to its retry topic
   * ('parked'). `mayDefer`: a first attempt from the main path, deferred
   * instead of sent while the webhook's circuit is open. `slotHeld`: the
   * caller holds the webhook's in-flight slot.
   */
  async attempt(key: string, d: ReceivedDelivery, record: Buffer, attemptNo: number, history: readonly AttemptSummary[], mayDefer = false, slotHeld = false): Promise<Settled> {
    const { ports, options, stats } = this;
    const webhook = ports.webhooks.webhook(d.webhookId);
    if (!webhook?.active) {
      await this.deadLetter(key, d, record, webhook, history, webhook ? 'webhook inativo' : 'webhook removido', false);
      return 'done';
    }
    if (mayDefer && this.breakers.isOpen(webhook.id)) {
      await ports.outbox.forward(key, d, record, { attempt: 1, dueAt: this.now() + options.schedule.delaysMs[0]!, history: [] }, 1);
      stats.deferred += 1;
      return 'parked';
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
    const change = this.breakers.record(webhook.id, outcome.kind);
    if (change === 'opened') ports.logger.warn({ webhookId: webhook.id, failures: options.breakerThreshold }, 'webhook failing: first attempts are deferred to the retry path until an attempt succeeds');
    if (change === 'closed') ports.logger.info({ webhookId: webhook.id }, 'webhook answering again: first attempts are sent again');
    const status = outcome.status;
    const error = outcome.kind === 'success' ? null : outcome.error;
    ports.attemptLog.record({
      deliveryId: d.deliveryId, eventId: d.eventId, webhookId: d.webhookId, contractId: d.contractId, attempt: attemptNo, attemptedAt: startedAt,
      outcome: outcome.kind, status, latencyMs: result.latencyMs, error, responseExcerpt: result.responseExcerpt,
    });
    if (outcome.kind === 'success') {
      stats.delivered += 1;
      return 'done';
    }
    const tried = [...history, { at: startedAt.toISOString(), attempt: attemptNo, status, error, latencyMs: Math.round(result.latencyMs) }].slice(-50);
    if (outcome.kind === 'permanent') {
      await this.deadLetter(key, d, record, webhook, tried, `falha permanente: ${outcome.error}`, true);
      return 'done';
    }
    const decision = nextRetry(options.schedule, attemptNo, webhook.maxAttempts, this.now(), outcome.retryAfterMs);
    if (!decision.retry) {
      await this.deadLetter(key, d, record, webhook, tried, `limite de tentativas atingido (${webhook.maxAttempts})`, true);
      return 'done';
    }
    await ports.outbox.forward(key, d, record, { attempt: decision.attempt, dueAt: decision.dueAt, history: tried }, decision.retryTopicIndex);
    stats.retried += 1;
    ports.logger.info({ webhookId: d.webhookId, deliveryId: d.deliveryId, attempt: attemptNo, error, nextAttempt: decision.attempt, dueAt: new Date(decision.dueAt).toISOString() }, 'delivery will be retried');
    return 'parked';
  }

  private async deadLetter(key: string, d: ReceivedDelivery, record: Buffer, webhook: ResolvedWebhook | undefined, history: readonly AttemptSummary[], reason: string, mail: boolean): Promise<void> {
    const failure = deliveryFailure(d, record, webhook, history, reason, mail, new Date(this.now()));
    await this.ports.outbox.deadLetter(key, failure.letter, failure.alert);
    this.stats.deadLettered += 1;
    this.ports.logger.warn({ webhookId: d.webhookId, deliveryId: d.deliveryId, eventId: d.eventId, contractId: d.contractId, reason, attempts: history.length }, 'delivery dead-lettered');
    if (failure.notice) this.ports.notices.add(failure.notice);
  }
}
