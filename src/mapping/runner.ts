// The mapper process: consumer group reativa-mapper over the ERP's business
// change topics. Per Kafka batch: decode → enrich (one query per entity type)
// → map (pure) → encode (Avro) → produce to reativa.triggers and the dead-letter
// topic → wait for the acknowledgement → commit. Offsets are committed only
// after what a batch produced is acknowledged: at-least-once, and a crash at
// any moment re-maps the batch to the same event ids.
import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type Message, type Producer } from 'kafkajs';
import type pg from 'pg';
import { decodeChange, type Change } from '../capture/envelope.js';
import { changeTopic } from '../capture/tables.js';
import { loadEnrichment } from '../db/erp-enrichment.js';
import { deadLetter } from '../kafka/dead-letter.js';
import { sendAll } from '../kafka/produce.js';
import { readAvroSchema, registerValueSchema, type SchemaRegistry } from '../kafka/registry.js';
import { TOPICS } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import { mapChange } from './map-change.js';
import { enrichmentRequest } from './needs.js';
import { MAPPED_TABLES } from './table-map.js';
import type { TriggerEvent } from './trigger.js';

export const MAPPER_GROUP = 'reativa-mapper';

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

/** The Avro record for one event (schemas/trigger-event.avsc). */
export function toAvro(event: TriggerEvent): Record<string, unknown> {
  return { ...event, body: JSON.stringify(event.body) };
}

/** A trigger event read back from reativa.triggers (the inverse of toAvro). */
export async function decodeTriggerEvent(registry: SchemaRegistry, value: Buffer): Promise<TriggerEvent> {
  const record = (await registry.decode(value)) as Omit<TriggerEvent, 'body'> & { body: string };
  return { ...record, body: JSON.parse(record.body) as TriggerEvent['body'] };
}

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
  const groupId = options.groupId ?? MAPPER_GROUP;
  const triggersTopic = options.triggersTopic ?? TOPICS.triggers;
  const dlqTopic = options.dlqTopic ?? TOPICS.triggersDlq;
  const log = logger.child({ component: 'mapper', group: groupId });
  const stats = emptyStats();

  const schemaId = await registerValueSchema(registry, triggersTopic, readAvroSchema('trigger-event'));
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const consumer = kafka.consumer({ groupId, sessionTimeout, heartbeatInterval: Math.floor(sessionTimeout / 10), maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: MAPPED_TABLES.map((t) => changeTopic(options.topicPrefix, t)), fromBeginning: true });

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
        dead.push(deadLetter('decode', result.reason, topic, partition, message));
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
        dead.push(deadLetter('map', result.reason, topic, partition, message, { table: change.table, lsn: change.lsn }));
        log.warn({ topic, partition, offset: message.offset, table: change.table, lsn: change.lsn, reason: result.reason }, 'change sent to the dead-letter topic');
      }
    }
    lap('map');

    const messages: Message[] = [];
    for (const event of events) {
      messages.push({
        key: event.aggregateKey,
        value: await registry.encode(schemaId, toAvro(event)),
        headers: { 'reativa-event-id': event.eventId, 'reativa-kind': event.kind },
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
  log.info({ topics: MAPPED_TABLES.length, triggersTopic, schemaId }, 'mapper running');

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
