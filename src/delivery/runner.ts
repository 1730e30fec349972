// The delivery process. Two consumer groups:
//   reativa-delivery        over reativa.deliveries: first attempts;
//   reativa-delivery-retry  over reativa.deliveries.retry.<n>: later attempts, each when due.
// Per (webhook, contract) key, deliveries reach the partner in order, through
// retries too: once a key has a delivery waiting in a retry topic it is
// parked (src/db/parking.ts) and later deliveries queue behind it until it
// succeeds or is dead-lettered. Across keys, work runs concurrently (bounded
// per webhook), so one slow partner does not hold up the others, and a
// partition's offset is committed only up to its lowest unfinished delivery.
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type pg from 'pg';
import { alert } from '../alerts/alert.js';
import type { AlertDigest } from '../alerts/digest.js';
import type { LiveConfig } from '../config/live.js';
import type { ResolvedWebhook } from '../config/webhooks.js';
import { AttemptLog } from '../db/attempt-log.js';
import { ParkingStore } from '../db/parking.js';
import { AvroDecoder, type SchemaRegistry } from '../kafka/registry.js';
import { ensureTopics, TOPICS } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import { webhookOfDeliveryKey, type Delivery } from '../routing/route.js';
import { fromDeliveryAvro, type DeliveryAvro, type ReceivedDelivery } from '../routing/runner.js';
import { sleep } from '../stack/wait.js';
import { buildRequest } from './request.js';
import { nextRetry, type RetrySchedule } from './retry-policy.js';
import { Breakers } from './breaker.js';
import { KeyedLanes, PartitionOffsets, Semaphore, type OffsetTracker } from './scheduler.js';
import { Sender, type SenderOptions } from './sender.js';

export const DELIVERY_GROUP = 'reativa-delivery';

export interface DeliveryOptions {
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

export interface AttemptSummary {
  readonly at: string;
  readonly attempt: number;
  readonly status: number | null;
  readonly error: string | null;
  readonly latencyMs: number;
}

export interface DeliveryStats {
  delivered: number;
  retried: number;
  deadLettered: number;
  queuedBehind: number;
  /** First attempts deferred to the retry path, unsent, while their webhook's circuit was open. */
  deferred: number;
}

export interface RunningDelivery {
  readonly stats: DeliveryStats;
  stop(): Promise<void>;
}

const HEADER_ATTEMPT = 'reativa-attempt';
const HEADER_DUE = 'reativa-due-at';
const HEADER_HISTORY = 'reativa-history';

const header = (headers: IHeaders | undefined, name: string): string | undefined => {
  const v = headers?.[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
};

type Result = 'done' | 'parked';

export async function startDelivery(
  kafka: Kafka,
  registry: SchemaRegistry,
  reativaPool: pg.Pool,
  live: LiveConfig,
  digest: AlertDigest,
  logger: Logger,
  options: DeliveryOptions,
): Promise<RunningDelivery> {
  const groupId = options.groupId ?? DELIVERY_GROUP;
  const deliveriesTopic = options.deliveriesTopic ?? TOPICS.deliveries;
  const log = logger.child({ component: 'delivery', group: groupId });
  const stats: DeliveryStats = { delivered: 0, retried: 0, deadLettered: 0, queuedBehind: 0, deferred: 0 };
  const sender = new Sender(options.sender);
  const parking = new ParkingStore(reativaPool);
  const attempts = new AttemptLog(reativaPool, logger, options.attemptLogRetentionDays);
  const semaphores = new Map<number, Semaphore>();
  /** The in-flight slots of one webhook. */
  const slotsOf = (webhookId: number): Semaphore => {
    let semaphore = semaphores.get(webhookId);
    if (!semaphore) semaphores.set(webhookId, (semaphore = new Semaphore(options.maxInFlightPerWebhook)));
    return semaphore;
  };
  const breakers = new Breakers(options.breakerThreshold);
  const retryTopics = options.schedule.delaysMs.map((_, i) => TOPICS.retry(i + 1));

  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, retryTopics.map((topic) => ({ topic, numPartitions: 3, configEntries: [{ name: 'retention.ms', value: String(14 * 24 * 3600 * 1000) }] })));
  await admin.disconnect();

  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();

  let fatal = false;
  let stopping = false;
  const die = (error: unknown) => {
    if (fatal) return;
    fatal = true;
    if (stopping) {
      // A request that outlived the stop's grace period: its offset was not committed.
      log.warn({ err: error }, 'work still in flight when delivery stopped was cut short; it runs again after a restart');
      return;
    }
    log.fatal({ err: error }, 'delivery cannot go on safely; stopping so a restart resumes from committed offsets');
    options.onFatal?.(error instanceof Error ? error : new Error(String(error)));
  };

  const decoder = new AvroDecoder<DeliveryAvro>(registry);
  // Synchronous once the schema id is known, so the hot path awaits nothing here.
  const decodeNow = (value: Buffer): ReceivedDelivery | undefined => {
    const record = decoder.decodeCached(value);
    return record && fromDeliveryAvro(record);
  };
  const decode = async (value: Buffer): Promise<ReceivedDelivery> => decodeNow(value) ?? fromDeliveryAvro(await decoder.decode(value));

  async function deadLetter(key: string, d: Delivery, record: Buffer, webhook: ResolvedWebhook | undefined, history: AttemptSummary[], reason: string, mail: boolean) {
    const failedAt = new Date();
    const value = {
      stage: 'delivery',
      reason,
      failedAt: failedAt.toISOString(),
      eventId: d.eventId,
      deliveryId: d.deliveryId,
      webhookId: d.webhookId,
      webhookName: webhook?.name ?? null,
      url: d.url,
      contractId: d.contractId,
      kind: d.kind,
      entity: d.entity,
      action: d.action,
      attempts: history,
      // The Avro record as routed, so `reativa dlq redrive` can send it again.
      record: record.toString('base64'),
    };
    const last = history[history.length - 1];
    const lastError = last?.error ?? (last?.status ? `HTTP ${last.status}` : reason);
    const a = alert(
      'delivery_failed',
      { id: d.webhookId, name: webhook?.name ?? String(d.webhookId) },
      `Webhook "${webhook?.name ?? d.webhookId}": contrato ${d.contractId ?? '-'} não integrado após ${history.length} ${history.length === 1 ? 'tentativa' : 'tentativas'}: ${lastError}`,
      { eventId: d.eventId, deliveryId: d.deliveryId, contractId: d.contractId, reason, attempts: history.length },
      d.deliveryId,
    );
    await producer.sendBatch({
      acks: -1,
      topicMessages: [
        { topic: TOPICS.deliveriesDlq, messages: [{ key, value: JSON.stringify(value), headers: { 'reativa-event-id': d.eventId, 'reativa-stage': 'delivery' } }] },
        { topic: TOPICS.alerts, messages: [{ key: String(d.webhookId), value: JSON.stringify(a), headers: { 'reativa-alert-id': a.alertId } }] },
      ],
    });
    stats.deadLettered += 1;
    log.warn({ webhookId: d.webhookId, deliveryId: d.deliveryId, eventId: d.eventId, contractId: d.contractId, reason, attempts: history.length }, 'delivery dead-lettered');
    if (mail && webhook) {
      digest.add({ webhookId: webhook.id, webhookName: webhook.name, url: webhook.url, emails: webhook.alertEmails, contractId: d.contractId, eventId: d.eventId, attempts: history.length, lastError, at: failedAt });
    }
  }

  /** Sends a delivery to a retry topic, due at `dueAt`, for attempt `attemptNo`; the caller parks its key. */
  async function forward(key: string, d: ReceivedDelivery, record: Buffer, attemptNo: number, topicIndex: number, dueAt: number, history: readonly AttemptSummary[]) {
    await producer.send({
      topic: TOPICS.retry(topicIndex),
      acks: -1,
      messages: [{ key, value: record, headers: { [HEADER_ATTEMPT]: String(attemptNo), [HEADER_DUE]: String(dueAt), [HEADER_HISTORY]: JSON.stringify(history), 'reativa-event-id': d.eventId } }],
    });
  }

  /** A first attempt not made while the webhook's circuit is open: it waits for the first retry step, uncounted. */
  async function defer(key: string, d: ReceivedDelivery, record: Buffer): Promise<Result> {
    await forward(key, d, record, 1, 1, Date.now() + options.schedule.delaysMs[0]!, []);
    stats.deferred += 1;
    return 'parked';
  }

  /**
   * One attempt; a retryable failure forwards the delivery to its retry topic
   * ('parked'). `mayDefer`: a first attempt from the main path, deferred
   * instead of sent while the webhook's circuit is open.
   */
  async function attempt(key: string, d: ReceivedDelivery, record: Buffer, attemptNo: number, history: AttemptSummary[], mayDefer = false, slotHeld = false): Promise<Result> {
    const webhook = live.webhook(d.webhookId);
    if (!webhook?.active) {
      await deadLetter(key, d, record, webhook, history, webhook ? 'webhook inativo' : 'webhook removido', false);
      return 'done';
    }
    if (mayDefer && breakers.isOpen(webhook.id)) return defer(key, d, record);
    // `slotHeld`: the caller took the webhook's in-flight slot (first attempts
    // take it before decoding, so the circuit check above already follows any wait for it).
    const semaphore = slotHeld ? undefined : slotsOf(webhook.id);
    if (semaphore && !semaphore.tryAcquire()) await semaphore.acquire();
    const startedAt = new Date();
    let result;
    try {
      result = await sender.send(buildRequest(d, webhook, startedAt.getTime(), d.bodyText));
    } finally {
      semaphore?.release();
    }
    const { outcome } = result;
    const change = breakers.record(webhook.id, outcome.kind);
    if (change === 'opened') log.warn({ webhookId: webhook.id, failures: options.breakerThreshold }, 'webhook failing: first attempts are deferred to the retry path until an attempt succeeds');
    if (change === 'closed') log.info({ webhookId: webhook.id }, 'webhook answering again: first attempts are sent again');
    const status = outcome.status;
    const error = outcome.kind === 'success' ? null : outcome.error;
    attempts.record({
      deliveryId: d.deliveryId, eventId: d.eventId, webhookId: d.webhookId, contractId: d.contractId, attempt: attemptNo, attemptedAt: startedAt,
      outcome: outcome.kind, status, latencyMs: result.latencyMs, error, responseExcerpt: result.responseExcerpt,
    });
    if (outcome.kind === 'success') {
      stats.delivered += 1;
      return 'done';
    }
    const tried = [...history, { at: startedAt.toISOString(), attempt: attemptNo, status, error, latencyMs: Math.round(result.latencyMs) }].slice(-50);
    if (outcome.kind === 'permanent') {
      await deadLetter(key, d, record, webhook, tried, `falha permanente: ${outcome.error}`, true);
      return 'done';
    }
    const decision = nextRetry(options.schedule, attemptNo, webhook.maxAttempts, Date.now(), outcome.retryAfterMs);
    if (!decision.retry) {
      await deadLetter(key, d, record, webhook, tried, `limite de tentativas atingido (${webhook.maxAttempts})`, true);
      return 'done';
    }
    await forward(key, d, record, decision.attempt, decision.retryTopicIndex, decision.dueAt, tried);
    stats.retried += 1;
    log.info({ webhookId: d.webhookId, deliveryId: d.deliveryId, attempt: attemptNo, error, nextAttempt: decision.attempt, dueAt: new Date(decision.dueAt).toISOString() }, 'delivery will be retried');
    return 'parked';
  }

  /** After a key's head succeeded or was dead-lettered: send what queued behind it, in order. */
  async function drain(key: string): Promise<void> {
    for (;;) {
      const queued = await parking.next(key);
      if (!queued) return;
      const d = await decode(queued.record);
      const result = await attempt(key, d, queued.record, 1, []);
      await parking.done(key, queued.seq, result === 'parked' ? d.deliveryId : undefined);
      if (result === 'parked') return;
    }
  }

  /**
   * With as many deliveries of a partition in hand as allowed, waits (heart-beating)
   * until some finish; what was handed over is resolved first, so a rebalance
   * meanwhile does not fetch it again.
   */
  async function waitForRoom(t: OffsetTracker, resolveHandedOver: () => void, heartbeat: () => Promise<void>): Promise<void> {
    if (t.pending < options.maxPendingPerPartition) return;
    resolveHandedOver();
    while (t.pending >= options.maxPendingPerPartition && !fatal) {
      await sleep(20);
      await heartbeat();
    }
  }

  /** A first attempt, holding `slots` (the key's webhook's); 'queued' when its key is parked. */
  async function firstAttempt(key: string, d: ReceivedDelivery, record: Buffer, slots: Semaphore, parkedNow: Set<string>): Promise<Result | 'queued'> {
    if (parkedNow.has(key) || parkedHere.has(key)) {
      if (await parking.queueBehind(key, d.deliveryId, record)) {
        stats.queuedBehind += 1;
        return 'queued';
      }
      parkedHere.delete(key);
      parkedNow.delete(key);
    }
    // The slot is the one attempt() would take only if the record belongs to the webhook its key names.
    return attempt(key, d, record, 1, [], true, slotsOf(d.webhookId) === slots);
  }

  // --- first attempts: concurrent across keys, ordered per key -----------------
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const main: Consumer = kafka.consumer({ groupId, sessionTimeout, heartbeatInterval: Math.floor(sessionTimeout / 10), maxWaitTimeInMs: 500 });
  const mainOffsets = new PartitionOffsets();
  // An offset whose delivery could not be settled is never committed: stop, restart, resume.
  const lanes = new KeyedLanes(die);
  // Keys of our partitions are parked only by the owner of the partition (us) and
  // unparked by the retry consumer; so the parked keys read once per assignment,
  // plus those we park, are all a key could be parked by. A key unparked since
  // is found out by queueBehind, which then lets the delivery go.
  const parkedHere = new Set<string>();
  let parkedKnown: Promise<Set<string>> | undefined;

  const processMain = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    const tracker = mainOffsets.of(batch.topic, batch.partition);
    if (!parkedKnown) parkedKnown = parking.all();
    const parkedNow = await parkedKnown;
    // Handed to a lane = resolved for kafkajs (not fetched again); committed
    // only once finished, through the tracker. Resolving the last one handed
    // over resolves all before it: once before any wait, and at the end.
    let handedOver: string | undefined;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || fatal) break;
      const key = message.key?.toString() ?? '';
      tracker.start(message.offset);
      handedOver = message.offset;
      lanes.run(key, async () => {
        if (fatal) return;
        // The webhook's in-flight slot is taken before the record is decoded: what
        // waits for a slot stays a raw record, not a decoded delivery, which keeps
        // the garbage collector's young generation small under read-ahead.
        const slots = slotsOf(webhookOfDeliveryKey(key));
        if (!slots.tryAcquire()) await slots.acquire();
        let result: Result | 'queued';
        let d: ReceivedDelivery;
        try {
          d = decodeNow(message.value!) ?? (await decode(message.value!));
          result = await firstAttempt(key, d, message.value!, slots, parkedNow);
        } finally {
          slots.release();
        }
        if (result === 'parked') {
          await parking.park(key, d.deliveryId);
          parkedHere.add(key);
        }
        tracker.finish(message.offset);
      });
      await waitForRoom(tracker, () => resolveOffset(handedOver!), heartbeat);
    }
    if (handedOver !== undefined) resolveOffset(handedOver);
    await heartbeat();
  };

  /** Commits each partition up to its lowest unfinished delivery. */
  const commit = async (consumer: Consumer, offsets: PartitionOffsets) => {
    const committable = offsets.committable();
    if (committable.length > 0 && !fatal) await consumer.commitOffsets(committable).catch((error: unknown) => log.warn({ err: error }, 'offset commit failed; will retry'));
  };
  let committer: NodeJS.Timeout | undefined;
  main.on(main.events.GROUP_JOIN, () => {
    mainOffsets.clear();
    parkedKnown = undefined;
  });

  // --- retries: each record when due, then what queued behind it ---------------
  // Due records run concurrently across keys, like first attempts: a partner
  // that hangs holds only its own keys, not the retries of everyone else in the
  // partition. A record not yet due pauses its partition until it is (the
  // records after it in a retry topic are due no sooner); other partitions go on.
  // Short fetch waits: a partition resumed when its head falls due is fetched again promptly.
  const retry: Consumer = kafka.consumer({ groupId: `${groupId}-retry`, sessionTimeout, heartbeatInterval: Math.floor(sessionTimeout / 10), maxWaitTimeInMs: 200 });
  const retryOffsets = new PartitionOffsets();
  const retryLanes = new KeyedLanes(die);
  const resumeTimers = new Set<NodeJS.Timeout>();
  const processRetry = async ({ batch, resolveOffset, heartbeat, pause, isRunning, isStale }: EachBatchPayload) => {
    const tracker = retryOffsets.of(batch.topic, batch.partition);
    let handedOver: string | undefined;
    for (const message of batch.messages as KafkaMessage[]) {
      if (!isRunning() || isStale() || fatal) break;
      const wait = Number(header(message.headers, HEADER_DUE) ?? 0) - Date.now();
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
        const attemptNo = Number(header(message.headers, HEADER_ATTEMPT) ?? 2);
        const history = JSON.parse(header(message.headers, HEADER_HISTORY) ?? '[]') as AttemptSummary[];
        const d = decodeNow(message.value!) ?? (await decode(message.value!));
        if ((await attempt(key, d, message.value!, attemptNo, history)) === 'done') await drain(key);
        tracker.finish(message.offset);
      });
      await waitForRoom(tracker, () => resolveOffset(handedOver!), heartbeat);
    }
    if (handedOver !== undefined) resolveOffset(handedOver);
    await heartbeat();
  };
  retry.on(retry.events.GROUP_JOIN, () => retryOffsets.clear());

  for (const [consumer, topics, eachBatch] of [
    [main, [deliveriesTopic], processMain],
    [retry, retryTopics, processRetry],
  ] as const) {
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) die(payload.error);
    });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 3, eachBatch });
  }
  committer = setInterval(() => void Promise.all([commit(main, mainOffsets), commit(retry, retryOffsets)]), 1000);
  log.info({ retryTopics: retryTopics.length, schedule: options.schedule.delaysMs }, 'delivery running');

  return {
    stats,
    stop: async () => {
      stopping = true;
      for (const t of resumeTimers) clearTimeout(t);
      // Stop fetching, let what is in flight settle, commit how far it got, then leave.
      main.pause([{ topic: deliveriesTopic }]);
      retry.pause(retryTopics.map((topic) => ({ topic })));
      await Promise.race([Promise.all([lanes.drain(), retryLanes.drain()]), sleep(options.sender.connectTimeoutMs + options.sender.responseTimeoutMs + 1000)]);
      clearInterval(committer);
      await Promise.all([commit(main, mainOffsets), commit(retry, retryOffsets)]);
      await Promise.all([main.disconnect(), retry.disconnect()]);
      await attempts.close();
      await producer.disconnect();
      await sender.close();
      log.info({ stats }, 'delivery stopped; left the consumer groups');
    },
  };
}
