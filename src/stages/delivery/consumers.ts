// The delivery stage's two consumer groups and their lifecycle:
//   <group>        over reativa.deliveries: first attempts;
//   <group>-retry  over reativa.deliveries.retry.<n>: later attempts, each when due.
// Records are handed to per-key lanes (order within a key, concurrency across
// keys); a partition's offset is committed, once a second, only up to its
// lowest unfinished delivery.
//
// Partitions that move are handed over drained, as far as KafkaJS lets a
// member hold its rejoin: while lanes have work, this stage heart-beats the
// group itself, more often than KafkaJS's own interval, so it is the first to
// hear of a rebalance. Then work not yet started is dropped (its offset was
// not committed: whoever owns the partition next reads it again), the lanes
// settle, what finished is committed, and only then is the rebalance let
// through (a batch arriving meanwhile is held until then). Order does not
// rest on this: a delivery still in flight on the old owner can only be one
// the new owner sends again first, and every change of a parked key's head is
// a compare-and-set (src/db/parking.ts). It keeps duplicates few.
//
// No record stops the stage: one that cannot be read (a null value, bad Avro,
// a broken retry envelope) goes whole to the dead-letter topic and the stage
// goes on. Outages of PostgreSQL, Kafka and the registry are waited out
// inside the worker's ports (runner.ts).
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { dueAtOf, parseRetryEnvelope } from '../../contracts/retry-envelope.js';
import { KeyedLanes } from '../../delivery/lanes.js';
import { classifyError } from '../../errors/classify.js';
import { PermanentError } from '../../errors/permanent-error.js';
import { PartitionOffsets, type OffsetTracker } from '../../delivery/offsets.js';
import type { DeliveryWorker } from '../../delivery/worker.js';
import { isRebalance, STAGE_FETCH } from '../../kafka/client.js';
import { runAgainAfterCrash } from '../../kafka/crash-recovery.js';
import type { Logger } from '../../log.js';
import { sleep } from '../../util/wait.js';
import { waitForRoom } from './flow-control.js';

export interface ConsumerOptions {
  readonly groupId: string;
  readonly retryGroupId: string;
  readonly deliveriesTopic: string;
  readonly retryTopics: readonly string[];
  /** Deliveries read ahead per consumer group, all partitions together (REATIVA_DELIVERY_MAX_PENDING). */
  readonly maxPending: number;
  readonly sessionTimeoutMs: number;
  /** How long stop() and a rebalance let work in flight finish. */
  readonly stopGraceMs: number;
  /** Told when a consumer joins its group or crashes ('delivery consumer', 'delivery retry consumer'): the process's readiness. */
  readonly onReady?: (part: string, ready: boolean) => void;
}

/** A record delivery cannot read: written whole to the dead-letter topic (it must not stop the stage). */
export type UnreadableHandler = (topic: string, partition: number, message: KafkaMessage, reason: string) => Promise<void>;

/** A record's value; a record without one (a tombstone) is no delivery. */
function valueOf(message: KafkaMessage): Buffer {
  if (!message.value) throw new PermanentError('no value (a tombstone): not a delivery');
  return message.value;
}

export interface DeliveryConsumers {
  stop(): Promise<void>;
}

/** One consumer group's moving parts: its lanes, offsets, and the generation its work belongs to. */
class GroupWork {
  readonly offsets = new PartitionOffsets();
  readonly lanes: KeyedLanes;
  /** Bumped when the group rebalances: lane work of an older generation that has not started is skipped. */
  generation = 0;
  /** Set from hearing of a rebalance until the group is joined again: the lanes settling, then committed. */
  handingOver: Promise<void> | undefined;
  /** The heartbeat of the latest batch, which works between batches too. */
  heartbeat: (() => Promise<void>) | undefined;

  constructor(onError: (error: unknown) => void) {
    this.lanes = new KeyedLanes(onError);
  }
}

export async function startDeliveryConsumers(
  kafka: Kafka,
  worker: DeliveryWorker,
  log: Logger,
  options: ConsumerOptions,
  onUnreadable: UnreadableHandler,
  onFatal: (error: Error) => void,
): Promise<DeliveryConsumers> {
  let fatal = false;
  let stopping = false;
  // An offset whose delivery could not be settled is never committed: stop, restart, resume.
  const die = (error: unknown) => {
    if (fatal) return;
    fatal = true;
    if (stopping) {
      // A request that outlived the stop's grace period: its offset was not committed.
      log.warn({ err: error }, 'work still in flight when delivery stopped was cut short; it runs again after a restart');
      return;
    }
    log.fatal({ err: error }, 'delivery cannot go on safely; stopping so a restart resumes from committed offsets');
    onFatal(error instanceof Error ? error : new Error(String(error)));
  };
  const stopped = () => fatal || stopping;
  const { sessionTimeoutMs: sessionTimeout, maxPending } = options;
  const heartbeatInterval = Math.floor(sessionTimeout / 10);

  /**
   * Runs one record's work in its key's lane. A record that cannot be read is
   * dead-lettered whole and counts as finished; anything else that escapes the
   * worker (its ports wait outages out) can only come at stop, or is a fault
   * that must not be committed past.
   */
  const toLane = (group: GroupWork, tracker: OffsetTracker, topic: string, partition: number, message: KafkaMessage, work: () => Promise<void>) => {
    const generation = group.generation;
    tracker.start(message.offset);
    group.lanes.run(message.key?.toString() ?? '', async () => {
      if (fatal) return;
      if (generation !== group.generation) return tracker.abandon();
      try {
        await work();
      } catch (error) {
        // At stop, or an outage a port did not wait out: not this record's fault, and not committed past.
        if (stopped() || classifyError(error) === 'retryable') throw error;
        const reason = `${(error as Error).name ?? 'Error'}: ${(error as Error).message ?? String(error)}`;
        log.warn({ topic, partition, offset: message.offset, reason }, 'delivery record could not be handled; sent to the dead-letter topic');
        await onUnreadable(topic, partition, message, reason);
      }
      tracker.finish(message.offset);
    });
  };

  /** Commits each partition up to its lowest unfinished delivery. */
  const commit = async (consumer: Consumer, group: GroupWork) => {
    const committable = group.offsets.committable();
    if (committable.length > 0 && !fatal) await consumer.commitOffsets(committable).catch((error: unknown) => log.warn({ err: error }, 'offset commit failed; will retry'));
  };

  /**
   * A heartbeat that hands the group's partitions over on a rebalance: drop
   * work not started, let the lanes settle (within the stop grace), commit,
   * then let the rebalance error through (KafkaJS rejoins on it).
   */
  const beatFor = (consumer: Consumer, group: GroupWork, heartbeat: () => Promise<void>) => async () => {
    try {
      await heartbeat();
    } catch (error) {
      if (isRebalance(error)) await handOff(consumer, group);
      throw error;
    }
  };
  const handOff = (consumer: Consumer, group: GroupWork): Promise<void> =>
    (group.handingOver ??= (async () => {
      group.generation += 1;
      log.info({ group: consumer === main ? options.groupId : options.retryGroupId, inFlightKeys: group.lanes.activeKeys }, 'group rebalancing: settling work in flight and committing before letting go');
      await Promise.race([group.lanes.drain(), sleep(options.stopGraceMs)]);
      await commit(consumer, group);
    })());
  /** A batch that arrives while the group is being handed over waits for it, then rejoins. */
  const holdWhileHandingOver = async (group: GroupWork, beat: () => Promise<void>) => {
    if (!group.handingOver) return;
    await group.handingOver;
    await beat();
  };
  /** While lanes work, heart-beat between batches too: the rebalance is heard here first. */
  const keepBeating = (group: GroupWork) =>
    setInterval(() => {
      if (group.lanes.activeKeys > 0 && group.heartbeat && !stopped()) void group.heartbeat().catch(() => undefined);
    }, Math.max(100, Math.floor(heartbeatInterval / 3)));

  // --- first attempts: concurrent across keys, ordered per key ---
  const main: Consumer = kafka.consumer({ groupId: options.groupId, sessionTimeout, heartbeatInterval, maxWaitTimeInMs: 500, ...STAGE_FETCH });
  const mainWork = new GroupWork(die);
  const processMain = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    const { topic, partition } = batch;
    const tracker = mainWork.offsets.of(topic, partition);
    const beat = (mainWork.heartbeat = beatFor(main, mainWork, heartbeat));
    await holdWhileHandingOver(mainWork, beat);
    const parkedNow = await worker.parkedKeys();
    // Handed to a lane = resolved for kafkajs (not fetched again); committed only
    // once finished, through the tracker. Resolving the last one handed over
    // resolves all before it: once before any wait, and at the end.
    let handedOver: string | undefined;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || fatal) break;
      handedOver = message.offset;
      toLane(mainWork, tracker, topic, partition, message, () => worker.firstAttempt(message.key?.toString() ?? '', valueOf(message), parkedNow));
      await waitForRoom(mainWork.offsets.pending, maxPending, () => resolveOffset(handedOver!), beat, stopped);
    }
    if (handedOver !== undefined) resolveOffset(handedOver);
    await beat();
  };

  // --- retries: each record when due, then what queued behind it ---
  // Due records run concurrently across keys, like first attempts: a partner
  // that hangs holds only its own keys. A record not yet due pauses its
  // partition until it is (the records after it in a retry topic are due no
  // sooner); other partitions go on. Short fetch waits: a partition resumed
  // when its head falls due is fetched again promptly.
  const retry: Consumer = kafka.consumer({ groupId: options.retryGroupId, sessionTimeout, heartbeatInterval, maxWaitTimeInMs: 200, ...STAGE_FETCH });
  const retryWork = new GroupWork(die);
  const resumeTimers = new Set<NodeJS.Timeout>();
  // Pauses and resumes through the consumer, by topic and partition: the
  // resume function eachBatch's pause() returns holds the whole fetched batch
  // (its records and the response they are read from) until the timer fires,
  // and with every retry partition waiting on its head that was most of the
  // delivery process's memory with keys parked (docs/benchmarks.md).
  const pauseUntilDue = (topic: string, partition: number, wait: number) => {
    retry.pause([{ topic, partitions: [partition] }]);
    const timer = setTimeout(() => {
      resumeTimers.delete(timer);
      retry.resume([{ topic, partitions: [partition] }]);
    }, wait);
    resumeTimers.add(timer);
  };
  const processRetry = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    const { topic, partition } = batch;
    const tracker = retryWork.offsets.of(topic, partition);
    const beat = (retryWork.heartbeat = beatFor(retry, retryWork, heartbeat));
    await holdWhileHandingOver(retryWork, beat);
    let handedOver: string | undefined;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || fatal) break;
      const wait = dueAtOf(message.headers) - Date.now();
      if (wait > 0) {
        pauseUntilDue(topic, partition, wait);
        break;
      }
      handedOver = message.offset;
      toLane(retryWork, tracker, topic, partition, message, () => worker.retryAttempt(message.key?.toString() ?? '', valueOf(message), parseRetryEnvelope(message.headers)));
      await waitForRoom(retryWork.offsets.pending, maxPending, () => resolveOffset(handedOver!), beat, stopped);
    }
    if (handedOver !== undefined) resolveOffset(handedOver);
    await beat();
  };

  // KafkaJS heard of the rebalance first (between batches, with nothing in
  // flight, or before this stage's own heartbeat did): start the hand-over
  // anyway, so work not started is dropped and what finished is committed.
  const readyPart = (consumer: Consumer) => (consumer === main ? 'delivery consumer' : 'delivery retry consumer');
  for (const [consumer, group] of [[main, mainWork], [retry, retryWork]] as const) {
    options.onReady?.(readyPart(consumer), false);
    consumer.on(consumer.events.REBALANCING, () => void handOff(consumer, group));
    consumer.on(consumer.events.GROUP_JOIN, () => {
      options.onReady?.(readyPart(consumer), true);
      group.handingOver = undefined;
      group.offsets.clear();
      if (group === mainWork) worker.forgetParkedKeys();
    });
  }
  const beaters = [keepBeating(mainWork), keepBeating(retryWork)];

  for (const [consumer, topics, eachBatch] of [
    [main, [options.deliveriesTopic], processMain],
    [retry, options.retryTopics, processRetry],
  ] as const) {
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    const config = { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 3, eachBatch };
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      options.onReady?.(readyPart(consumer), false);
      if (!payload.restart && !runAgainAfterCrash(consumer, config, payload.error, { stopped, log })) die(payload.error);
    });
    await consumer.run(config);
  }

  const commitBoth = () => Promise.all([commit(main, mainWork), commit(retry, retryWork)]);
  const committer = setInterval(() => void commitBoth(), 1000);

  return {
    stop: async () => {
      stopping = true;
      for (const consumer of [main, retry]) options.onReady?.(readyPart(consumer), false);
      for (const t of resumeTimers) clearTimeout(t);
      for (const b of beaters) clearInterval(b);
      // Stop fetching, let what is in flight settle, commit how far it got, then leave.
      main.pause([{ topic: options.deliveriesTopic }]);
      retry.pause(options.retryTopics.map((topic) => ({ topic })));
      await Promise.race([Promise.all([mainWork.lanes.drain(), retryWork.lanes.drain()]), sleep(options.stopGraceMs)]);
      clearInterval(committer);
      await commitBoth();
      await Promise.all([main.disconnect(), retry.disconnect()]);
    },
  };
}
