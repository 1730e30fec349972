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

export interface QueuedDelivery {
  readonly seq: string;
  readonly deliveryId: string;
  readonly record: Buffer;
}

/** Parked (webhook, contract) keys and the deliveries queued behind them, shared by every delivery process. */
export interface ParkingPort {
  /** Every parked key (read when partitions are assigned). */
  all(): Promise<Set<string>>;
  /** Parks a key behind its head delivery. */
  park(key: string, headDeliveryId: string): Promise<void>;
  /** Queues a delivery behind a parked key; false when the key is no longer parked (send it now). */
  queueBehind(key: string, deliveryId: string, record: Buffer): Promise<boolean>;
  /** The next queued delivery of a key; unparks the key and answers null when none is left. */
  next(key: string): Promise<QueuedDelivery | null>;
  /** Removes a handled queued delivery; when it went to a retry topic, it becomes the key's head. */
  done(key: string, seq: string, newHeadDeliveryId?: string): Promise<void>;
}

/** Where deliveries leave delivery's hands: a retry topic, or the dead-letter topic with its alert. */
export interface Outbox {
  forward(key: string, delivery: ReceivedDelivery, record: Buffer, envelope: RetryEnvelope, retryTopicIndex: number): Promise<void>;
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
