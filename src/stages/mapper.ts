// The mapper stage: consumer group reativa-mapper over the ERP's business
// change topics. Per Kafka batch: decode → enrich (one query per entity type)
// → map (pure) → encode (Avro) → produce to reativa.triggers and the dead-letter
// topic → wait for the acknowledgement → commit. Offsets are committed only
// after what a batch produced is acknowledged: at-least-once, and a crash at
// any moment re-maps the batch to the same event ids.
import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type Message, type Producer } from 'kafkajs';
import type pg from 'pg';
import { decodeChange, type Change } from '../capture/envelope.js';
import { changeDeadLetter } from '../contracts/dead-letter.js';
import { TRIGGER_EVENT, TRIGGER_EVENT_HEADERS, type TriggerEvent } from '../contracts/trigger-event.js';
import { loadEnrichment } from '../db/erp-enrichment.js';
import { sendAll } from '../kafka/produce.js';
import { registeredCodec, type SchemaRegistry } from '../kafka/registry.js';
import { TOPICS } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import { mapChange } from '../mapping/map-change.js';
import { enrichmentRequest } from '../mapping/needs.js';
import { DEFAULT_GROUPS, stageGroups } from './registry.js';

export interface MapperOptions {
  readonly topicPrefix: string;
  readonly groupId?: string;
  readonly triggersTopic?: string;
  readonly dlqTopic?: string;
  readonly sessionTimeoutMs?: number;
  /**
   * Called when the consumer crashed and kafkajs will not restart it (a
   * non-retriable error). The process should exit so its supervisor restarts
   * it: nothing was committed past the failed batch, so nothing is lost.
   */
  readonly onFatal?: (error: Error) => void;
}

/** Time spent per stage and counts, for the benchmark and for logs. */
export interface MapperStats {
  changes: number;
  events: number;
  deadLetters: number;
  batches: number;
  enrichmentQueries: number;
  ms: { decode: number; enrich: number; map: number; encode: number; produce: number };
}

export const emptyStats = (): MapperStats => ({
  changes: 0,
  events: 0,
  deadLetters: 0,
  batches: 0,
  enrichmentQueries: 0,
  ms: { decode: 0, enrich: 0, map: 0, encode: 0, produce: 0 },
});

export interface RunningMapper {
  readonly consumer: Consumer;
  readonly stats: MapperStats;
  stop(): Promise<void>;
}

export async function startMapper(
  kafka: Kafka,
  registry: SchemaRegistry,
  erpPool: pg.Pool,
  logger: Logger,
  options: MapperOptions,
): Promise<RunningMapper> {
  const groupId = options.groupId ?? DEFAULT_GROUPS.mapper;
  const triggersTopic = options.triggersTopic ?? TOPICS.triggers;
  const dlqTopic = options.dlqTopic ?? TOPICS.triggersDlq;
  const log = logger.child({ component: 'mapper', group: groupId });
  const stats = emptyStats();

  const codec = await registeredCodec(registry, TRIGGER_EVENT, triggersTopic);
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const consumer = kafka.consumer({ groupId, sessionTimeout, heartbeatInterval: Math.floor(sessionTimeout / 10), maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  const topics = stageGroups('mapper', { changeTopicPrefix: options.topicPrefix, retrySteps: 0 })[0]!.topics;
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });

  const processBatch = async ({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload) => {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const { topic, partition } = batch;
    let t = performance.now();
    const lap = (stage: keyof MapperStats['ms']) => {
      const now = performance.now();
      stats.ms[stage] += now - t;
      t = now;
    };

    const dead: Message[] = [];
    const decoded: { change: Change; index: number }[] = [];
    batch.messages.forEach((message, index) => {
      const result = decodeChange(message.key, message.value);
      if (result.ok) decoded.push({ change: result.change, index });
      else {
        dead.push(changeDeadLetter('decode', result.reason, topic, partition, message));
        log.warn({ topic, partition, offset: message.offset, reason: result.reason }, 'undecodable change sent to the dead-letter topic');
      }
    });
    lap('decode');

    // A database error here is retryable: it propagates, nothing is committed, kafkajs retries the batch.
    const counter = { queries: 0 };
    const enrichment = await loadEnrichment(erpPool, enrichmentRequest(decoded.map((d) => d.change)), counter);
    stats.enrichmentQueries += counter.queries;
    lap('enrich');

    const events: TriggerEvent[] = [];
    const traceChanges = log.isLevelEnabled('debug');
    for (const { change, index } of decoded) {
      if (traceChanges) log.debug({ table: change.table, op: change.op, key: change.key, lsn: change.lsn, topic, partition, offset: batch.messages[index]!.offset }, 'change');
      const result = mapChange(change, enrichment);
      if (result.ok) events.push(...result.events);
      else {
        const message = batch.messages[index]!;
        dead.push(changeDeadLetter('map', result.reason, topic, partition, message, { table: change.table, lsn: change.lsn }));
        log.warn({ topic, partition, offset: message.offset, table: change.table, lsn: change.lsn, reason: result.reason }, 'change sent to the dead-letter topic');
      }
    }
    lap('map');

    const messages: Message[] = [];
    for (const event of events) {
      messages.push({
        key: event.aggregateKey,
        value: codec.encode(event),
        headers: { [TRIGGER_EVENT_HEADERS.eventId]: event.eventId, [TRIGGER_EVENT_HEADERS.kind]: event.kind },
      });
    }
    lap('encode');

    const topicMessages = [
      ...(messages.length > 0 ? [{ topic: triggersTopic, messages }] : []),
      ...(dead.length > 0 ? [{ topic: dlqTopic, messages: dead }] : []),
    ];
    await sendAll(producer, topicMessages);
    lap('produce');

    // Everything this batch produced is acknowledged: now, and only now, move
    // the fetch position (resolveOffset) and commit.
    const last = batch.messages[batch.messages.length - 1]!;
    resolveOffset(last.offset);
    await consumer.commitOffsets([{ topic, partition, offset: (BigInt(last.offset) + 1n).toString() }]);
    await heartbeat();
    stats.batches += 1;
    stats.changes += batch.messages.length;
    stats.events += events.length;
    stats.deadLetters += dead.length;
    log.debug({ topic, partition, changes: batch.messages.length, events: events.length, deadLetters: dead.length }, 'batch mapped');
  };

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) {
      log.warn({ err: payload.error }, 'mapper consumer crashed; kafkajs restarts it');
      return;
    }
    log.fatal({ err: payload.error }, 'mapper consumer crashed and will not restart');
    options.onFatal?.(payload.error);
  });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 3, eachBatch: processBatch });
  log.info({ topics: topics.length, triggersTopic, schemaId: codec.schemaId }, 'mapper running');

  return {
    consumer,
    stats,
    stop: async () => {
      await consumer.disconnect();
      await producer.disconnect();
      log.info({ stats }, 'left the consumer group, offsets committed');
    },
  };
}
