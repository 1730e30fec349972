// The delivery stage's two consumer groups and their lifecycle:
//   <group>        over reativa.deliveries: first attempts;
//   <group>-retry  over reativa.deliveries.retry.<n>: later attempts, each when due.
// Records are handed to per-key lanes (order within a key, concurrency across
// keys); a partition's offset is committed, once a second, only up to its
// lowest unfinished delivery.
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { dueAtOf, parseRetryEnvelope } from '../../contracts/retry-envelope.js';
import { KeyedLanes } from '../../delivery/lanes.js';
import { PartitionOffsets } from '../../delivery/offsets.js';
import type { DeliveryWorker } from '../../delivery/worker.js';
import type { Logger } from '../../log.js';
import { sleep } from '../../util/wait.js';
import { waitForRoom } from './flow-control.js';

export interface ConsumerOptions {
  readonly groupId: string;
  readonly retryGroupId: string;
  readonly deliveriesTopic: string;
  readonly retryTopics: readonly string[];
  readonly maxPendingPerPartition: number;
  readonly sessionTimeoutMs: number;
  /** How long stop() lets work in flight finish. */
  readonly stopGraceMs: number;
}

export interface DeliveryConsumers {
  stop(): Promise<void>;
}

export async function startDeliveryConsumers(
  kafka: Kafka,
  worker: DeliveryWorker,
  log: Logger,
  options: ConsumerOptions,
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
  const stopped = () => fatal;
  const { sessionTimeoutMs: sessionTimeout, maxPendingPerPartition: maxPending } = options;
  const heartbeatInterval = Math.floor(sessionTimeout / 10);

  // --- first attempts: concurrent across keys, ordered per key ---
  const main: Consumer = kafka.consumer({ groupId: options.groupId, sessionTimeout, heartbeatInterval, maxWaitTimeInMs: 500 });
  const mainOffsets = new PartitionOffsets();
  const lanes = new KeyedLanes(die);
  const processMain = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    const tracker = mainOffsets.of(batch.topic, batch.partition);
    const parkedNow = await worker.parkedKeys();
    // Handed to a lane = resolved for kafkajs (not fetched again); committed only
    // once finished, through the tracker. Resolving the last one handed over
    // resolves all before it: once before any wait, and at the end.
    let handedOver: string | undefined;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || fatal) break;
      const key = message.key?.toString() ?? '';
      tracker.start(message.offset);
      handedOver = message.offset;
      lanes.run(key, async () => {
        if (fatal) return;
        await worker.firstAttempt(key, message.value!, parkedNow);
        tracker.finish(message.offset);
      });
      await waitForRoom(tracker, maxPending, () => resolveOffset(handedOver!), heartbeat, stopped);
    }
    if (handedOver !== undefined) resolveOffset(handedOver);
    await heartbeat();
  };
  main.on(main.events.GROUP_JOIN, () => {
    mainOffsets.clear();
    worker.forgetParkedKeys();
  });

  // --- retries: each record when due, then what queued behind it ---
  // Due records run concurrently across keys, like first attempts: a partner
  // that hangs holds only its own keys. A record not yet due pauses its
  // partition until it is (the records after it in a retry topic are due no
  // sooner); other partitions go on. Short fetch waits: a partition resumed
  // when its head falls due is fetched again promptly.
  const retry: Consumer = kafka.consumer({ groupId: options.retryGroupId, sessionTimeout, heartbeatInterval, maxWaitTimeInMs: 200 });
  const retryOffsets = new PartitionOffsets();
  const retryLanes = new KeyedLanes(die);
  const resumeTimers = new Set<NodeJS.Timeout>();
  const processRetry = async ({ batch, resolveOffset, heartbeat, pause, isRunning, isStale }: EachBatchPayload) => {
    const tracker = retryOffsets.of(batch.topic, batch.partition);
    let handedOver: string | undefined;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || fatal) break;
      const wait = dueAtOf(message.headers) - Date.now();
      if (wait > 0) {
        const resume = pause();
        const timer = setTimeout(() => {
          resumeTimers.delete(timer);
          resume();
        }, wait);
        resumeTimers.add(timer);
        break;
      }
      const key = message.key?.toString() ?? '';
      tracker.start(message.offset);
      handedOver = message.offset;
      retryLanes.run(key, async () => {
        if (fatal) return;
        await worker.retryAttempt(key, message.value!, parseRetryEnvelope(message.headers));
        tracker.finish(message.offset);
      });
      await waitForRoom(tracker, maxPending, () => resolveOffset(handedOver!), heartbeat, stopped);
    }
    if (handedOver !== undefined) resolveOffset(handedOver);
    await heartbeat();
  };
  retry.on(retry.events.GROUP_JOIN, () => retryOffsets.clear());

  for (const [consumer, topics, eachBatch] of [
    [main, [options.deliveriesTopic], processMain],
    [retry, options.retryTopics, processRetry],
  ] as const) {
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) die(payload.error);
    });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 3, eachBatch });
  }

  /** Commits each partition up to its lowest unfinished delivery. */
  const commit = async (consumer: Consumer, offsets: PartitionOffsets) => {
    const committable = offsets.committable();
    if (committable.length > 0 && !fatal) await consumer.commitOffsets(committable).catch((error: unknown) => log.warn({ err: error }, 'offset commit failed; will retry'));
  };
  const commitBoth = () => Promise.all([commit(main, mainOffsets), commit(retry, retryOffsets)]);
  const committer = setInterval(() => void commitBoth(), 1000);

  return {
    stop: async () => {
      stopping = true;
      for (const t of resumeTimers) clearTimeout(t);
      // Stop fetching, let what is in flight settle, commit how far it got, then leave.
      main.pause([{ topic: options.deliveriesTopic }]);
      retry.pause(options.retryTopics.map((topic) => ({ topic })));
      await Promise.race([Promise.all([lanes.drain(), retryLanes.drain()]), sleep(options.stopGraceMs)]);
      clearInterval(committer);
      await commitBoth();
      await Promise.all([main.disconnect(), retry.disconnect()]);
    },
  };
}
