// What the delivery worker (worker.ts) needs from the world, as interfaces:
// the runner (src/stages/delivery) plugs in Kafka, PostgreSQL, undici and SMTP;
// unit tests plug in fakes. Nothing here does I/O.
import type { FailureNotice } from '../alerts/render.js';
import type { Alert } from '../contracts/alert.js';
import type { DeliveryDeadLetter } from '../contracts/dead-letter.js';
import type { ReceivedDelivery } from '../contracts/delivery.js';
import type { RetryEnvelope } from '../contracts/retry-envelope.js';
import type { ResolvedWebhook } from '../config/webhooks.js';
import type { Outcome } from './outcome.js';
import type { OutgoingRequest } from './request.js';

/** One attempt as the attempt log keeps it: never a header or a token. */
export interface AttemptRecord {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly webhookId: number;
  readonly contractId: number | null;
  readonly attempt: number;
  readonly attemptedAt: Date;
  readonly outcome: 'success' | 'retryable' | 'permanent';
  readonly status: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
  readonly responseExcerpt: string | null;
}

/** What one HTTP attempt came to. */
export interface AttemptResult {
  readonly outcome: Outcome;
  readonly latencyMs: number;
  readonly responseExcerpt: string | null;
}

export interface Transport {
  send(request: OutgoingRequest): Promise<AttemptResult>;
}

export interface AttemptLogPort {
  /** Buffered: never waits for the database. */
  record(attempt: AttemptRecord): void;
}

/**
 * The delivery a parked key waits on. While its retry record waits in a retry
 * topic the head is 'waiting' for `attempt`; once a drain has taken it from
 * the key's queue and sends it, it is 'sending' (attempt 1). Every change of
 * head is a compare-and-set on (deliveryId, attempt): of two processes that
 * hold the same retry record (a duplicate left by a crash, or a partition
 * moving during a rebalance), one moves the key on and the other finds its
 * record stale and drops it; neither ever sends anything but the head.
 */
export interface ParkedHead {
  readonly deliveryId: string;
  readonly attempt: number;
  readonly state: 'waiting' | 'sending';
  /** The head's record as routed: what a stuck key is sent again from. */
  readonly record: Buffer;
}

/** What queueBehind found: queued behind the head, the key not parked, or this delivery is the head (read again). */
export type QueueOutcome = 'queued' | 'free' | { readonly head: ParkedHead };

/** A parked key that has not moved for longer than its state allows (its retry record lost, or its drain died). */
export interface StuckKey {
  readonly key: string;
  readonly head: ParkedHead;
}

/** Parked (webhook, contract) keys and the deliveries queued behind them, shared by every delivery process. */
export interface ParkingPort {
  /** Every parked key (read after partitions are assigned). */
  all(): Promise<Set<string>>;
  /**
   * Parks a key behind a delivery whose retry record (for `attempt`) is about
   * to be written: always before the record, so a crash in between leaves a
   * parked key (sent again from here) and never a retry record that later
   * deliveries could overtake. 'head': forward the record now. 'queued': the
   * key was parked behind another delivery meanwhile; this one queued behind
   * it instead (do not forward).
   */
  park(key: string, deliveryId: string, attempt: number, record: Buffer, dueAt: number): Promise<'head' | 'queued'>;
  /** Queues a delivery behind a parked key (once per delivery id). */
  queueBehind(key: string, deliveryId: string, record: Buffer): Promise<QueueOutcome>;
  /** The key's head, or null when the key is not parked. */
  head(key: string): Promise<ParkedHead | null>;
  /** The head (deliveryId, from) failed again: it now waits for attempt `to`, due at `dueAt`. False when the head had moved on. */
  advance(key: string, deliveryId: string, from: number, to: number, dueAt: number): Promise<boolean>;
  /**
   * The head (deliveryId, attempt) left delivery's hands (delivered or
   * dead-lettered): the next queued delivery becomes the head, 'sending', and
   * is returned; with none queued the key is unparked. Null when nothing is
   * left, or when the head had moved on (another process drains the key).
   */
  settle(key: string, deliveryId: string, attempt: number): Promise<ParkedHead | null>;
  /**
   * Keys that stopped moving: a 'waiting' head more than `overdueMs` past its
   * retry's due time (the record lost, or not read), or a 'sending' head
   * unchanged for `sendingMs` (its drain died).
   */
  stuck(overdueMs: number, sendingMs: number, limit: number): Promise<StuckKey[]>;
  /** A stuck head is sent again: marks it 'waiting' for `attempt`, due at `dueAt`, if it is still the head. */
  revive(key: string, deliveryId: string, from: number, attempt: number, dueAt: number): Promise<boolean>;
}

/** Where deliveries leave delivery's hands: a retry topic, or the dead-letter topic with its alert. */
export interface Outbox {
  forward(key: string, eventId: string, record: Buffer, envelope: RetryEnvelope, retryTopicIndex: number): Promise<void>;
  deadLetter(key: string, letter: DeliveryDeadLetter, alert: Alert): Promise<void>;
}

export interface Notices {
  add(notice: FailureNotice): void;
}

export interface WebhookSource {
  webhook(id: number): ResolvedWebhook | undefined;
}

/** Sync once the record's writer schema is known, so the hot path awaits nothing. */
export type DeliveryDecoder = (record: Buffer) => ReceivedDelivery | Promise<ReceivedDelivery>;

/**
 * Hears what became of each delivery, per webhook, for the process's metrics.
 * Called on the hot path (thousands of times a second): it must only count.
 */
export interface DeliveryObserver {
  /** One HTTP attempt and how it ended. */
  attempted(webhookId: number, outcome: AttemptRecord['outcome'], latencyMs: number): void;
  /** A delivery given up: dead-lettered (permanent failure, attempts exhausted, webhook inactive or removed). */
  deadLettered(webhookId: number): void;
  /** A delivery held back unsent to the retry path (the webhook's circuit open, or its secrets not read yet). */
  deferred(webhookId: number): void;
}
