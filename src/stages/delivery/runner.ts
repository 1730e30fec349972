// The delivery stage: wires the pure worker (src/delivery/worker.ts) to Kafka,
// PostgreSQL (parked keys, the attempt log), undici and the alert e-mails, and
// runs its two consumer groups (consumers.ts). Per (webhook, contract) key,
// deliveries reach the partner in order, through retries too.
import { createProducer } from '../../kafka/client.js';
import { type Kafka } from 'kafkajs';
import type pg from 'pg';
import type { AlertDigest } from '../../alerts/digest.js';
import type { LiveConfig } from '../../config/live.js';
import { DELIVERY } from '../../contracts/delivery.js';
import type { RetrySchedule } from '../../delivery/retry-policy.js';
import { DeliveryWorker, type DeliveryStats } from '../../delivery/worker.js';
import { AttemptLog } from '../../db/attempt-log.js';
import { ParkingStore } from '../../db/parking.js';
import { AvroCodec } from '../../kafka/avro-codec.js';
import type { SchemaRegistry } from '../../kafka/registry.js';
import { ensureTopics, retryTopicSpecs, type ReativaTopics } from '../../kafka/topics.js';
import type { Logger } from '../../log.js';
import { groupsOf, retryGroupOf } from '../registry.js';
import { startDeliveryConsumers } from './consumers.js';
import { KafkaOutbox } from './outbox.js';
import { Sender, type SenderOptions } from './sender.js';

export type { DeliveryStats };

export interface DeliveryOptions {
  readonly topics: ReativaTopics;
  /** The consumer group (its retry group adds -retry); <namespace>-delivery by default. */
  readonly groupId?: string;
  /** Where first attempts come from (reativa.deliveries; the benchmark uses a topic of its own). */
  readonly deliveriesTopic?: string;
  readonly schedule: RetrySchedule;
  readonly sender: SenderOptions;
  readonly maxInFlightPerWebhook: number;
  readonly maxPendingPerPartition: number;
  /** Retryable failures in a row after which a webhook's first attempts are deferred to the retry path. */
  readonly breakerThreshold: number;
  readonly attemptLogRetentionDays: number;
  readonly sessionTimeoutMs?: number;
  readonly onFatal?: (error: Error) => void;
}

export interface RunningDelivery {
  readonly stats: DeliveryStats;
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
  const retryTopics = retryTopicSpecs(options.topics, options.schedule.delaysMs.length);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, retryTopics).finally(() => admin.disconnect());

  const producer = createProducer(kafka);
  await producer.connect();
  const sender = new Sender(options.sender);
  const attemptLog = new AttemptLog(reativaPool, logger, options.attemptLogRetentionDays);
  const codec = new AvroCodec(registry, DELIVERY);
  const worker = new DeliveryWorker(
    {
      webhooks: live,
      decode: (record) => codec.decodeCached(record) ?? codec.decode(record),
      transport: sender,
      attemptLog,
      parking: new ParkingStore(reativaPool),
      outbox: new KafkaOutbox(producer, options.topics),
      notices: digest,
      logger: log,
    },
    { schedule: options.schedule, maxInFlightPerWebhook: options.maxInFlightPerWebhook, breakerThreshold: options.breakerThreshold },
  );
  const consumers = await startDeliveryConsumers(
    kafka,
    worker,
    log,
    {
      groupId,
      retryGroupId: retryGroupOf(groupId),
      deliveriesTopic: options.deliveriesTopic ?? options.topics.deliveries,
      retryTopics: retryTopics.map((s) => s.topic),
      maxPendingPerPartition: options.maxPendingPerPartition,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
      stopGraceMs: options.sender.connectTimeoutMs + options.sender.responseTimeoutMs + 1000,
    },
    (error) => options.onFatal?.(error),
  );
  log.info({ retryTopics: retryTopics.length, schedule: options.schedule.delaysMs }, 'delivery running');

  return {
    stats: worker.stats,
    stop: async () => {
      await consumers.stop();
      await attemptLog.close();
      await producer.disconnect();
      await sender.close();
      log.info({ stats: worker.stats }, 'delivery stopped; left the consumer groups');
    },
  };
}
