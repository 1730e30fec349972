// The mapper stage. The change log (every captured ERP table, in commit order,
// one partition) is read by one active mapper at a time — its consumer group
// gives the partition to one member; others are hot standbys. Each process
// keeps its own state store current (applier.ts); the active one maps:
// per batch, once the store holds it, each change → trigger events from the
// state as of that change's offset (pure), configuration changes → reativa.config,
// what cannot be mapped → the dead-letter topic; produce, wait for the
// acknowledgement, commit. A replay (an offset reset of the group) maps again
// with the same state, so it yields the same event ids and the same bodies.
import { CHANGE_LOG_FETCH, createProducer } from '../../kafka/client.js';
import path from 'node:path';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import { decodeChange } from '../../capture/envelope.js';
import { CDC_SCHEMA, changeLogTopic, CONFIGURATION_TABLES, isCapturedIn, isConfigurationTable, schemaOf } from '../../capture/tables.js';
import { configChangeRecord } from '../../contracts/config-change.js';
import { partnerRulesRedriveOf, recordDeadLetter, REDRIVE_HEADERS, sourceOffsetOf, type DeadLetterStage, type RecordDeadLetter } from '../../contracts/dead-letter.js';
import { classifyError } from '../../errors/classify.js';
import { TRIGGER_EVENT } from '../../contracts/trigger-event.js';
import { runAgainAfterCrash } from '../../kafka/crash-recovery.js';
import { sendAll } from '../../kafka/produce.js';
import { Health, type HealthReporter } from '../../health/health.js';
import { DEFAULT_BACKOFF, waitOut } from '../../util/retry.js';
import { registeredCodec, type SchemaRegistry } from '../../kafka/registry.js';
import type { ReativaTopics } from '../../kafka/topics.js';
import type { Logger } from '../../log.js';
import { mapChange } from '../../mapping/map-change.js';
import { CHILD_INDEXES, mappingFor } from '../../mapping/table-map.js';
import { asRedriven } from '../../mapping/trigger.js';
import { ChangeStore } from '../../state/change-store.js';
import { sleep } from '../../util/wait.js';
import { YIELD_EVERY, yieldToEventLoop } from '../../util/yield.js';
import { groupsOf, redriveGroupOf } from '../registry.js';
import { StateApplier, type ApplierStats } from './applier.js';
import { PostDueCollector, type CollectorPorts } from './collector.js';

export interface MapperOptions {
  /** Debezium's topic.prefix: the change log is <prefix>.changes. */
  readonly topicPrefix: string;
  /** Where state stores live (one per change log topic). */
  readonly stateDir: string;
  /** How far back the store keeps versions, and so how far back a replay can reach (7 days by default). */
  readonly historyMs?: number;
  /** Reativa's topics: where events, dead letters and configuration go. */
  readonly topics: ReativaTopics;
  /** The consumer group; <namespace>-mapper by default. */
  readonly groupId?: string;
  /** The change log, when not <prefix>.changes (the benchmark and some tests write one of their own). */
  readonly logTopic?: string;
  readonly sessionTimeoutMs?: number;
  /**
   * Called when a consumer crashed and kafkajs will not restart it (a
   * non-retriable error). The process should exit so its supervisor restarts
   * it: nothing was committed past the failed batch, so nothing is lost.
   */
  readonly onFatal?: (error: Error) => void;
  /** Hears of outages waited out (one warning each) and whether its consumers are joined (readiness); a plain logger's by default. */
  readonly health?: HealthReporter;
  /**
   * Post-due collection (collector.ts): checked every `intervalMs` while this
   * mapper is the active one. Absent: not run (tests of other things, benchmarks).
   */
  readonly collection?: Pick<CollectorPorts, 'secrets' | 'pool'> & { readonly timeZone: string; readonly intervalMs: number; readonly now?: () => number };
}

/** Counts and time spent per step, for the benchmark and for logs. */
export interface MapperStats {
  changes: number;
  events: number;
  deadLetters: number;
  batches: number;
  ms: { waitState: number; decode: number; map: number; encode: number; produce: number };
  readonly state: ApplierStats;
}

export interface RunningMapper {
  readonly consumer: Consumer;
  readonly stats: MapperStats;
  readonly store: ChangeStore;
  stop(): Promise<void>;
}

/** The mapper's parts in the process's readiness (/readyz): its consumers, joined to their groups. */
const READY_PART = 'mapper consumer';
const REDRIVE_READY_PART = 'mapper redrive consumer';

/** The store of a change log, under the state directory. */
export const storePath = (stateDir: string, logTopic: string) => path.join(stateDir, logTopic);

export async function startMapper(kafka: Kafka, registry: SchemaRegistry, logger: Logger, options: MapperOptions): Promise<RunningMapper> {
  const groupId = options.groupId ?? groupsOf(options.topics.namespace).mapper;
  const logTopic = options.logTopic ?? changeLogTopic(options.topicPrefix);
  const { triggers: triggersTopic, triggersDlq: dlqTopic, config: configTopic } = options.topics;
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const log = logger.child({ component: 'mapper', group: groupId });
  const onFatal = (error: Error) => options.onFatal?.(error);

  const path = storePath(options.stateDir, logTopic);
  const store = ChangeStore.open(path, { indexes: CHILD_INDEXES });
  const applier = new StateApplier(kafka, store, log, { logTopic, groupPrefix: groupId, sessionTimeoutMs: sessionTimeout, historyMs: options.historyMs ?? 7 * 86_400_000 }, onFatal);
  const stats: MapperStats = { changes: 0, events: 0, deadLetters: 0, batches: 0, ms: { waitState: 0, decode: 0, map: 0, encode: 0, produce: 0 }, state: applier.stats };
  const codec = await registeredCodec(registry, TRIGGER_EVENT, triggersTopic);
  const producer: Producer = createProducer(kafka);
  await producer.connect();
  await applier.start();
  const health = options.health ?? new Health(log);
  let stopping = false;
  // A broker away: the batch waits (readiness false, one warning) and goes on; its offsets move only once it is out.
  const produce = (batches: Parameters<typeof sendAll>[1]) => waitOut('kafka', () => sendAll(producer, batches), health, DEFAULT_BACKOFF, () => stopping);

  const consumer = kafka.consumer({ groupId, sessionTimeout, heartbeatInterval: Math.floor(sessionTimeout / 10), maxWaitTimeInMs: 100, ...CHANGE_LOG_FETCH });
  await consumer.connect();
  await consumer.subscribe({ topics: [logTopic], fromBeginning: true });

  // A namespace's configuration topic that is empty while the group starts past
  // the log's beginning (a new namespace, started at the end of an old log) is
  // seeded with the configuration as of the group's position, from the store.
  let configChecked = false;
  const seedConfiguration = async (before: number) => {
    configChecked = true;
    if (before <= 0) return;
    const admin = kafka.admin();
    await admin.connect();
    const [end] = await admin.fetchTopicOffsets(configTopic).finally(() => admin.disconnect());
    if (end && Number(end.high) > 0) return;
    const seed: Message[] = [];
    for (const table of CONFIGURATION_TABLES) {
      for (const { key, row, committedAt } of store.rowsAsOf(table, before - 1)) {
        const recordKey = typeof key === 'number' || typeof key === 'string' ? { [table === 'erp_parameters' ? 'key' : 'id']: key } : null;
        seed.push(configChangeRecord({ op: 'r', schema: schemaOf(table), table, before: null, after: row, key: recordKey, committedAt, lsn: null, txId: null, snapshot: true }));
      }
    }
    await produce([{ topic: configTopic, messages: seed }]);
    log.info({ configTopic, rows: seed.length, asOf: before - 1 }, 'configuration topic seeded from the state store');
  };

  /**
   * The batch handler of the change log (`redrive` false) and of the redrive
   * topic (true): records there are changes sent back from the dead letters,
   * each mapped as of its original position in the change log (a header), so
   * it yields what it would have yielded then. A change sent back for a
   * partner_rules letter is mapped as of a later position instead (a header:
   * the log's end when the redrive was planned), so the client's data fixed
   * since is in its body; its events get ids of their own and go to the
   * refusing webhook only (mapping/trigger.ts, asRedriven). Configuration
   * changes are only carried from the log itself, in order.
   */
  const batchHandler = (consumerOf: () => Consumer, redrive: boolean) => async ({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload) => {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const { topic, partition } = batch;
    const last = batch.messages[batch.messages.length - 1]!;
    /** The change's own offset in the change log. */
    const positionOf = (message: KafkaMessage): number => (redrive ? sourceOffsetOf(message) : Number(message.offset));
    /** What the state is read as of: the change's own position, or a partner_rules redrive's. */
    const stateOf = (message: KafkaMessage): number => {
      const partnerRules = redrive ? partnerRulesRedriveOf(message) : undefined;
      return partnerRules?.ok ? partnerRules.asOf : positionOf(message);
    };
    const furthest = redrive ? Math.max(-1, ...batch.messages.map(stateOf).filter((o) => o >= 0)) : Number(last.offset);
    let t = performance.now();
    const lap = (step: keyof MapperStats['ms']) => {
      const now = performance.now();
      stats.ms[step] += now - t;
      t = now;
    };

    // The store must hold this batch before its changes are mapped (a standby taking
    // over, a store being rebuilt): heart-beat while the applier catches up.
    const ready = applier.reached(furthest);
    let caughtUp = false;
    void ready.then(() => (caughtUp = true));
    while (!caughtUp) {
      await Promise.race([ready, sleep(1000)]);
      if (!isRunning() || isStale()) return;
      await heartbeat();
    }
    if (!configChecked && !redrive) await seedConfiguration(Number(batch.messages[0]!.offset));
    lap('waitState');

    const config: Message[] = [];
    const dead: Message[] = [];
    const messages: Message[] = [];
    let eventCount = 0;
    const spent = { decode: 0, encode: 0 };
    const traceChanges = log.isLevelEnabled('debug');
    // Every change of this batch is in the store already, and whatever the applier
    // adds meanwhile lies past it: the reader's cache stays right across yields.
    const state = store.reader();
    const deadLetter = (stage: DeadLetterStage, reason: string, message: KafkaMessage, position: RecordDeadLetter['position'] = null) => {
      dead.push(recordDeadLetter(stage, reason, topic, partition, message, position));
      log.warn({ topic, partition, offset: message.offset, ...position, stage, reason }, 'change sent to the dead-letter topic');
    };
    /** One record: its events, its configuration change, or its dead letter. No record stops the mapper. */
    const mapRecord = (message: KafkaMessage) => {
      const offset = positionOf(message);
      if (offset < 0) {
        deadLetter('decode', `a redriven change without its position in the change log (header ${REDRIVE_HEADERS.sourceOffset})`, message);
        return;
      }
      const partnerRules = redrive ? partnerRulesRedriveOf(message) : undefined;
      if (partnerRules && !partnerRules.ok) {
        deadLetter('decode', partnerRules.why, message);
        return;
      }
      if (partnerRules && partnerRules.asOf < offset) {
        deadLetter('decode', `a partner_rules redrive as of offset ${partnerRules.asOf}, before its own change (offset ${offset})`, message);
        return;
      }
      const asOf = partnerRules?.asOf ?? offset;
      let t0 = performance.now();
      const decoded = decodeChange(message.key, message.value);
      spent.decode += performance.now() - t0;
      if (!decoded.ok) {
        if (!decoded.tombstone) deadLetter('decode', decoded.reason, message);
        return;
      }
      const change = decoded.change;
      const position = { table: change.table, lsn: change.lsn };
      if (traceChanges) log.debug({ table: change.table, op: change.op, key: change.key, lsn: change.lsn, offset: message.offset }, 'change');
      // Debezium's helpers (heartbeat, signals) carry nothing; Reativa's own configuration there (integrator_presets) does.
      if (change.schema === CDC_SCHEMA && !isCapturedIn(change.schema, change.table)) return;
      if (redrive && change.committedAt < store.prunedBefore) {
        // The store no longer holds the state as it was then: mapping it now would give another body.
        deadLetter('map', `a redriven change committed ${new Date(change.committedAt).toISOString()}, before the state store's history (REATIVA_CHANGE_LOG_HISTORY)`, message, position);
        return;
      }
      if (!isCapturedIn(change.schema, change.table)) {
        deadLetter('map', `unknown table '${change.schema}.${change.table}': not one of the captured tables`, message, position);
        return;
      }
      try {
        if (isConfigurationTable(change.table) && !redrive) config.push(configChangeRecord(change));
        // Snapshot reads fill the state and trigger nothing: the ERP sends no history.
        if (change.snapshot || !mappingFor(change.table)) return;
        const result = mapChange(change, state.asOf(asOf));
        if (!result.ok) {
          deadLetter('map', result.reason, message, position);
          return;
        }
        t0 = performance.now();
        // Each event says which change it came from: a partner_rules dead letter keeps it, for its redrive.
        const events = result.events.map((event) => ({ ...event, changeOffset: offset }));
        const emitted = partnerRules ? asRedriven(events, partnerRules.asOf, partnerRules.webhookId) : events;
        // Encoded here, so an event Avro refuses dead-letters its change alone.
        const encoded = emitted.map((event) => ({ key: event.aggregateKey, value: codec.encode(event) }));
        spent.encode += performance.now() - t0;
        messages.push(...encoded);
        eventCount += encoded.length;
      } catch (error) {
        // The state store, Kafka or the registry away: try the batch again. Anything else is this record's fault.
        if (classifyError(error) === 'retryable') throw error;
        deadLetter('map', `${(error as Error).name ?? 'Error'}: ${(error as Error).message ?? String(error)}`, message, position);
      }
    };
    let handled = 0;
    for (const message of batch.messages) {
      if (++handled % YIELD_EVERY === 0) await yieldToEventLoop();
      mapRecord(message);
    }
    lap('map');
    // Decoding and encoding happened inside the mapping loop: count them apart.
    stats.ms.map -= spent.decode + spent.encode;
    stats.ms.decode += spent.decode;
    stats.ms.encode += spent.encode;

    // Configuration first, acknowledged before any event that may need it: routing,
    // syncing to reativa.config's end before each batch, then always sees it.
    if (config.length > 0) await produce([{ topic: configTopic, messages: config }]);
    await produce([
      ...(messages.length > 0 ? [{ topic: triggersTopic, messages }] : []),
      ...(dead.length > 0 ? [{ topic: dlqTopic, messages: dead }] : []),
    ]);
    lap('produce');

    // Everything this batch produced is acknowledged: now, and only now, move
    // the fetch position (resolveOffset) and commit.
    resolveOffset(last.offset);
    await consumerOf().commitOffsets([{ topic, partition, offset: String(Number(last.offset) + 1) }]);
    await heartbeat();
    if (redrive) log.info({ changes: batch.messages.length, events: eventCount, deadLetters: dead.length }, 'redriven changes mapped');
    stats.batches += 1;
    stats.changes += batch.messages.length;
    stats.events += eventCount;
    stats.deadLetters += dead.length;
  };

  // Post-due collection runs on the clock, in the active mapper only (one sender; its records keep a takeover from sending twice).
  let isActive = false;
  let collecting: Promise<unknown> = Promise.resolve();
  let collectionTimer: NodeJS.Timeout | undefined;
  if (options.collection) {
    const { secrets, pool, timeZone, intervalMs, now } = options.collection;
    const collector = new PostDueCollector(
      {
        store,
        secrets,
        pool,
        produce: (events) => produce([{ topic: triggersTopic, messages: events.map((event) => ({ key: event.aggregateKey, value: codec.encode(event) })) }]),
      },
      { namespace: options.topics.namespace, timeZone, ...(now ? { now } : {}) },
      log.child({ part: 'post-due collection' }),
    );
    let busy = false;
    collectionTimer = setInterval(() => {
      if (busy || !isActive || stopping) return;
      busy = true;
      collecting = collector
        .tick()
        // The ERP, Reativa's database or Kafka away: the next check tries again; nothing was recorded unsent.
        .catch((error: unknown) => log.warn({ err: error }, 'post-due collection check failed; trying again at the next one'))
        .finally(() => (busy = false));
    }, intervalMs);
    collectionTimer.unref();
  }

  // Ready once joined, active or standing by; not while a crashed consumer restarts.
  health.setReady(READY_PART, false);
  // The change log has one partition: the member holding it maps, the others stand by.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    health.setReady(READY_PART, true);
    const active = (payload.memberAssignment[logTopic] ?? []).length > 0;
    isActive = active;
    log.info({ memberId: payload.memberId, appliedThrough: store.appliedThrough }, active ? 'mapper active: mapping the change log' : 'mapper standing by: keeping its state store current');
  });
  const logRun = { autoCommit: false, eachBatchAutoResolve: false, eachBatch: batchHandler(() => consumer, false) };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    health.setReady(READY_PART, false);
    isActive = false;
    if (payload.restart) {
      log.warn({ err: payload.error }, 'mapper consumer crashed; kafkajs restarts it');
      return;
    }
    if (runAgainAfterCrash(consumer, logRun, payload.error, { stopped: () => stopping, log })) return;
    log.fatal({ err: payload.error }, 'mapper consumer crashed and will not restart');
    onFatal(payload.error);
  });
  await consumer.run(logRun);

  // Changes redriven from the dead letters: a small group of their own, beside the log's.
  const redriveTopic = options.topics.changesRedrive;
  const redriveConsumer = kafka.consumer({ groupId: redriveGroupOf(groupId), sessionTimeout, heartbeatInterval: Math.floor(sessionTimeout / 10), maxWaitTimeInMs: 500, ...CHANGE_LOG_FETCH });
  await redriveConsumer.connect();
  await redriveConsumer.subscribe({ topics: [redriveTopic], fromBeginning: true });
  health.setReady(REDRIVE_READY_PART, false);
  redriveConsumer.on(redriveConsumer.events.GROUP_JOIN, () => health.setReady(REDRIVE_READY_PART, true));
  const redriveRun = { autoCommit: false, eachBatchAutoResolve: false, eachBatch: batchHandler(() => redriveConsumer, true) };
  redriveConsumer.on(redriveConsumer.events.CRASH, ({ payload }) => {
    health.setReady(REDRIVE_READY_PART, false);
    if (!payload.restart && !runAgainAfterCrash(redriveConsumer, redriveRun, payload.error, { stopped: () => stopping, log })) onFatal(payload.error);
  });
  await redriveConsumer.run(redriveRun);
  log.info({ logTopic, triggersTopic, schemaId: codec.schemaId, store: store.path }, 'mapper running');

  return {
    consumer,
    stats,
    store,
    stop: async () => {
      stopping = true;
      if (collectionTimer) clearInterval(collectionTimer);
      await collecting;
      health.setReady(READY_PART, false);
      health.setReady(REDRIVE_READY_PART, false);
      await Promise.all([consumer.disconnect(), redriveConsumer.disconnect()]);
      await applier.stop();
      await producer.disconnect();
      await store.close();
      log.info({ stats }, 'left the consumer group, offsets committed');
    },
  };
}
