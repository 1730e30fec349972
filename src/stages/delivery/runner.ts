// The delivery stage: wires the pure worker (src/delivery/worker.ts) to Kafka,
// PostgreSQL (parked keys, the attempt log), undici and the alert e-mails, and
// runs its two consumer groups (consumers.ts). Per (webhook, contract) key,
// deliveries reach the partner in order, through retries too.
import { createProducer } from '../../kafka/client.js';
import { type Kafka } from 'kafkajs';
import type pg from 'pg';
import type { AlertDigest } from '../../alerts/digest.js';
import type { LiveConfig } from '../../config/live.js';
import { recordDeadLetter } from '../../contracts/dead-letter.js';
import { DELIVERY } from '../../contracts/delivery.js';
import { Health, type HealthReporter } from '../../health/health.js';
import { DEFAULT_BACKOFF, patiently, waitOut } from '../../util/retry.js';
import type { DeliveryObserver } from '../../delivery/ports.js';
import type { RetrySchedule } from '../../delivery/retry-policy.js';
import { DeliveryWorker, type DeliveryStats } from '../../delivery/worker.js';
import { AttemptLog } from '../../db/attempt-log.js';
import { ParkingStore } from '../../db/parking.js';
import { AvroCodec } from '../../kafka/avro-codec.js';
import type { SchemaRegistry } from '../../kafka/registry.js';
import { ensureTopics, retryTopicSpecs, type ReativaTopics } from '../../kafka/topics.js';
import type { Logger } from '../../log.js';
import { RepeatedWarnings } from '../../util/repeated-warnings.js';
import { groupsOf, retryGroupOf } from '../registry.js';
import { startDeliveryConsumers } from './consumers.js';
import { KafkaOutbox } from './outbox.js';
import { Sender, type SenderOptions } from './sender.js';

export type { DeliveryStats };

/** How far past its due time a parked key's retry may be before its head is sent again (a retry consumer behind by less sends it itself). */
const REVIVE_OVERDUE_MS = 60_000;

export interface DeliveryOptions {
  readonly topics: ReativaTopics;
  /** The consumer group (its retry group adds -retry); <namespace>-delivery by default. */
  readonly groupId?: string;
  /** Where first attempts come from (reativa.deliveries; the benchmark uses a topic of its own). */
  readonly deliveriesTopic?: string;
  readonly schedule: RetrySchedule;
  readonly sender: SenderOptions;
  readonly maxInFlightPerWebhook: number;
  readonly maxPending: number;
  /** Retryable failures in a row after which a webhook's first attempts are deferred to the retry path. */
  readonly breakerThreshold: number;
  readonly attemptLogRetentionDays: number;
  readonly sessionTimeoutMs?: number;
  /** How retry topics missing at start are made (REATIVA_TOPIC_PARTITIONS, REATIVA_TOPIC_REPLICATION_FACTOR); 3 partitions, replication 1 by default. */
  readonly newTopics?: { readonly partitions: number; readonly replicationFactor: number };
  /** Hears of outages waited out (one warning each) and whether its consumers are joined (readiness); a plain logger's by default. */
  readonly health?: HealthReporter;
  /** Counts outcomes per webhook for the process's metrics (src/metrics/delivery-tally.ts). */
  readonly observer?: DeliveryObserver;
  /** Dead letters of one webhook and reason past the first 10 in this window are logged as one line at its end (REATIVA_PROGRESS_LOG_INTERVAL; a minute by default). */
  readonly warningWindowMs?: number;
  readonly onFatal?: (error: Error) => void;
}

export interface RunningDelivery {
  readonly stats: DeliveryStats;
  /** The webhooks whose circuit is open now. */
  openCircuits(): number[];
  /** Records delivery could not read, sent whole to the dead-letter topic (stage `deliver`). */
  unreadable(): number;
  /** OAuth 2.0 token requests made so far (the rest came from the token cache). */
  tokenRequests(): number;
  /** Writes the attempts recorded so far to the attempt log now, instead of at its next flush (bench:delivery times it). */
  flushAttemptLog(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDelivery(
  kafka: Kafka,
  registry: SchemaRegistry,
  reativaPool: pg.Pool,
  live: LiveConfig,
  digest: AlertDigest,
  logger: Logger,
  options: DeliveryOptions,
): Promise<RunningDelivery> {
  const groupId = options.groupId ?? groupsOf(options.topics.namespace).delivery;
  const log = logger.child({ component: 'delivery', group: groupId });
  const retryTopics = retryTopicSpecs(options.topics, options.schedule.delaysMs.length, options.newTopics?.partitions);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, retryTopics, options.newTopics?.replicationFactor).finally(() => admin.disconnect());

  const producer = createProducer(kafka);
  await producer.connect();
  const sender = new Sender(options.sender);
  const attemptLog = new AttemptLog(reativaPool, logger, options.attemptLogRetentionDays);
  const codec = new AvroCodec(registry, DELIVERY);
  const health = options.health ?? new Health(log);
  let stopping = false;
  const stopped = () => stopping;
  let unreadable = 0;
  // Ports that pause their caller through an outage (a database or broker
  // restarting) instead of failing the delivery: nothing is lost, nothing
  // is dead-lettered for it, and the stage resumes by itself.
  const outbox = new KafkaOutbox(producer, options.topics);
  const patientOutbox = patiently(outbox, 'kafka', health, stopped);
  const warnings = new RepeatedWarnings(log).start(options.warningWindowMs ?? 60_000);
  const worker = new DeliveryWorker(
    {
      webhooks: live,
      decode: (record) => codec.decodeCached(record) ?? waitOut('schema registry', () => codec.decode(record), health, DEFAULT_BACKOFF, stopped),
      transport: sender,
      attemptLog,
      parking: patiently(new ParkingStore(reativaPool, options.topics.namespace), 'reativa database', health, stopped),
      outbox: patientOutbox,
      notices: digest,
      logger: log,
      warnings,
      ...(options.observer ? { observer: options.observer } : {}),
    },
    { schedule: options.schedule, maxInFlightPerWebhook: options.maxInFlightPerWebhook, breakerThreshold: options.breakerThreshold },
  );
  // No attempt outlasts its deadline.
  const stopGraceMs = options.sender.attemptDeadlineMs + 1000;
  const consumers = await startDeliveryConsumers(
    kafka,
    worker,
    log,
    {
      groupId,
      retryGroupId: retryGroupOf(groupId),
      deliveriesTopic: options.deliveriesTopic ?? options.topics.deliveries,
      retryTopics: retryTopics.map((s) => s.topic),
      maxPending: options.maxPending,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
      stopGraceMs,
      onReady: (part, ready) => health.setReady(part, ready),
    },
    (topic, partition, message, reason) => {
      unreadable += 1;
      return patientOutbox.unreadable(recordDeadLetter('deliver', reason, topic, partition, message));
    },
    (error) => options.onFatal?.(error),
  );

  // Keys that stopped moving are sent again: a head a minute past its retry's
  // due time (its record lost to a crash), or a drain that died. Checked at
  // start and every 30 s: one indexed query.
  const revive = () =>
    worker.reviveStuck(REVIVE_OVERDUE_MS, Math.max(120_000, 4 * stopGraceMs)).catch((error: unknown) => {
      if (!stopping) log.warn({ err: error }, 'could not look for parked keys that stopped moving; will look again');
      return 0;
    });
  void revive();
  const reviver = setInterval(() => void revive(), 30_000);
  reviver.unref();
  log.info({ retryTopics: retryTopics.length, schedule: options.schedule.delaysMs }, 'delivery running');

  return {
    stats: worker.stats,
    openCircuits: () => worker.openCircuits(),
    unreadable: () => unreadable,
    tokenRequests: () => sender.tokens.requests,
    flushAttemptLog: () => attemptLog.flushAll(),
    stop: async () => {
      stopping = true;
      clearInterval(reviver);
      await consumers.stop();
      await attemptLog.close();
      await producer.disconnect();
      await sender.close();
      warnings.stop();
      log.info({ stats: worker.stats }, 'delivery stopped; left the consumer groups');
    },
  };
}
