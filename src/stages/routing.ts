// The routing stage: consumer group reativa-routing over reativa.triggers.
// Per batch: sync the live configuration, decode the events, route them
// (pure), produce deliveries (Avro, keyed by webhook and contract), dead
// letters and alerts, then commit. Invalid webhooks are announced on
// reativa.alerts when their verdict changes.
import { createProducer, STAGE_FETCH } from '../kafka/client.js';
import { type EachBatchPayload, type Kafka, type Message } from 'kafkajs';
import { alertRecord } from '../contracts/alert.js';
import { deliveryDeadLetterRecord, recordDeadLetter } from '../contracts/dead-letter.js';
import { classifyError } from '../errors/classify.js';
import { PermanentError } from '../errors/permanent-error.js';
import { DELIVERY, deliveryKey } from '../contracts/delivery.js';
import { TRIGGER_EVENT } from '../contracts/trigger-event.js';
import { LiveConfig } from '../config/live.js';
import type { SecretSource } from '../config/secrets.js';
import { AvroCodec } from '../kafka/avro-codec.js';
import { runAgainAfterCrash } from '../kafka/crash-recovery.js';
import { DEFAULT_CHUNK_BYTES, sendAll } from '../kafka/produce.js';
import { Health, type HealthReporter } from '../health/health.js';
import { DEFAULT_BACKOFF, waitOut } from '../util/retry.js';
import { registeredCodec, type SchemaRegistry } from '../kafka/registry.js';
import type { ReativaTopics } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import { rejection } from '../routing/rejections.js';
import { route } from '../routing/route.js';
import { VerdictWatcher } from '../routing/verdicts.js';
import { RepeatedWarnings } from '../util/repeated-warnings.js';
import { YIELD_EVERY, yieldToEventLoop } from '../util/yield.js';
import type { Notices } from '../delivery/ports.js';
import { groupsOf } from './registry.js';

export interface RoutingOptions {
  readonly topics: ReativaTopics;
  /** The consumer group; <namespace>-routing by default. */
  readonly groupId?: string;
  readonly sessionTimeoutMs?: number;
  readonly onFatal?: (error: Error) => void;
  /** Hears of outages waited out (one warning each) and whether its consumer is joined (readiness); a plain logger's by default. */
  readonly health?: HealthReporter;
  /** Where the live configuration reads secrets (header values, tokens, URLs) from: the ERP, by id. Routing's own from now on. */
  readonly secrets: SecretSource;
  /** The webhooks' alert e-mails (alerts/digest.ts): a webhook invalid or valid again, malformed addresses, deliveries the partner's rules refused. */
  readonly notices?: Notices;
  /** Refusals by partner rules of one webhook and reason past the first 10 in this window are logged as one line at its end (REATIVA_PROGRESS_LOG_INTERVAL; a minute by default). */
  readonly warningWindowMs?: number;
}

/** Routing's part in the process's readiness (/readyz): its consumer, joined to its group. */
const READY_PART = 'routing consumer';

export interface RoutingStats {
  events: number;
  deliveries: number;
  rejected: number;
  deadLetters: number;
}

export interface RunningRouting {
  readonly live: LiveConfig;
  readonly stats: RoutingStats;
  stop(): Promise<void>;
}

export async function startRouting(kafka: Kafka, registry: SchemaRegistry, logger: Logger, options: RoutingOptions): Promise<RunningRouting> {
  const groupId = options.groupId ?? groupsOf(options.topics.namespace).routing;
  const topics = options.topics;
  const log = logger.child({ component: 'routing', group: groupId });
  const stats: RoutingStats = { events: 0, deliveries: 0, rejected: 0, deadLetters: 0 };
  const deliveries = await registeredCodec(registry, DELIVERY, topics.deliveries);
  const triggers = new AvroCodec(registry, TRIGGER_EVENT);
  const producer = createProducer(kafka);
  await producer.connect();
  const health = options.health ?? new Health(log);
  const warnings = new RepeatedWarnings(log).start(options.warningWindowMs ?? 60_000);
  let stopping = false;
  // A broker or the registry away: the batch waits (readiness false, one warning) and goes on, never dead-lettered.
  const produce = (batches: Parameters<typeof sendAll>[1]) => waitOut('kafka', () => sendAll(producer, batches), health, DEFAULT_BACKOFF, () => stopping);
  const decodeTrigger = (value: Buffer) => triggers.decodeCached(value) ?? waitOut('schema registry', () => triggers.decode(value), health, DEFAULT_BACKOFF, () => stopping);

  const verdicts = new VerdictWatcher();
  const pendingAlerts: Message[] = [];
  const watch = () => {
    for (const change of verdicts.watch(live.webhooks(), Date.now())) {
      const w = change.webhook;
      if (change.about === 'alert_emails') log.warn({ webhookId: w.id, webhook: w.name, skipped: w.badAlertEmails?.length ?? 0 }, 'malformed addresses in the webhook alert list are skipped');
      else if (change.valid) log.info({ webhookId: w.id, webhook: w.name }, 'webhook configuration valid again');
      else log.warn({ webhookId: w.id, webhook: w.name, problems: w.problems }, 'webhook inactive: invalid configuration');
      pendingAlerts.push(alertRecord(change.alert));
      options.notices?.add(change.notice);
    }
  };
  const live = new LiveConfig(kafka, logger, topics.config, options.secrets);
  await live.start();
  // Only once the configuration is loaded: a half-read view is not worth an alert.
  live.onChange(watch);
  watch();
  const flushAlerts = async () => {
    if (pendingAlerts.length > 0) await produce([{ topic: topics.alerts, messages: pendingAlerts.splice(0) }]);
  };
  await flushAlerts();

  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const consumer = kafka.consumer({ groupId, sessionTimeout, heartbeatInterval: Math.floor(sessionTimeout / 10), ...STAGE_FETCH });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.triggers], fromBeginning: true });

  const processBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    await live.sync();
    // Deliveries go out as they fill a produce request, not all at the end of
    // the batch: a fetched batch of a billing run holds thousands, and
    // keeping them all (and their requests) at once was most of what a
    // routing process grew by in a burst. In order, so per-key order holds.
    const out: Message[] = [];
    let outBytes = 0;
    let routedCount = 0;
    const refused: Message[] = [];
    const unreadable: Message[] = [];
    const now = Date.now();
    const webhooks = live.webhooks();
    // "Utiliza Streaming" as the ERP's catalogue says now (a product fixed since the change counts as fixed).
    const usesStreaming = (id: number) => live.view.serviceProducts.get(id)?.usesStreaming;
    let handled = 0;
    for (const message of batch.messages) {
      if (++handled % YIELD_EVERY === 0) await yieldToEventLoop();
      try {
        if (!message.value) throw new PermanentError('no value (a tombstone)');
        const event = await decodeTrigger(message.value);
        stats.events += 1;
        for (const routed of route(event, webhooks, live.prerequisitesAt, now, usesStreaming)) {
          if (routed.outcome === 'deliver') {
            const d = routed.delivery;
            const record = { key: deliveryKey(d), value: deliveries.encode(d) };
            out.push(record);
            routedCount += 1;
            outBytes += record.key.length + record.value.length;
            if (outBytes >= DEFAULT_CHUNK_BYTES) {
              await produce([{ topic: topics.deliveries, messages: out.splice(0) }]);
              outBytes = 0;
            }
            continue;
          }
          // The partner would refuse this client's data: dead letter (keeping the delivery, for a redrive once the data is fixed), alert and e-mail; no request, no retries.
          const rejected = rejection(event, routed.webhook, routed.reasons, new Date(now), routed.detail, { delivery: routed.delivery, record: deliveries.encode(routed.delivery) });
          warnings.warn('delivery refused by partner rules', { webhookId: routed.webhook.id, reasons: routed.reasons.join('; ') }, { eventId: event.eventId, contractId: event.contractId });
          stats.rejected += 1;
          refused.push(deliveryDeadLetterRecord(rejected.key, rejected.letter));
          pendingAlerts.push(alertRecord(rejected.alert));
          options.notices?.add(rejected.notice);
        }
      } catch (error) {
        // The registry away: try the batch again. A record that cannot be read or routed: its dead letter, and on.
        if (classifyError(error) === 'retryable') throw error;
        const reason = `trigger event not routed: ${(error as Error).message ?? String(error)}`;
        unreadable.push(recordDeadLetter('route', reason, batch.topic, batch.partition, message));
        log.warn({ topic: batch.topic, partition: batch.partition, offset: message.offset, reason }, 'trigger event sent to the dead-letter topic');
      }
    }
    await produce([
      { topic: topics.deliveries, messages: out },
      { topic: topics.deliveriesDlq, messages: refused },
      { topic: topics.triggersDlq, messages: unreadable },
      { topic: topics.alerts, messages: pendingAlerts.splice(0) },
    ].filter((t) => t.messages.length > 0));
    const last = batch.messages[batch.messages.length - 1]!;
    resolveOffset(last.offset);
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
    await heartbeat();
    stats.deliveries += routedCount;
    stats.deadLetters += refused.length + unreadable.length;
  };

  // Ready once joined to the group; not while a crashed consumer restarts.
  health.setReady(READY_PART, false);
  consumer.on(consumer.events.GROUP_JOIN, () => health.setReady(READY_PART, true));
  const runConfig = { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 3, eachBatch: processBatch };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    health.setReady(READY_PART, false);
    if (payload.restart || runAgainAfterCrash(consumer, runConfig, payload.error, { stopped: () => stopping, log })) return;
    log.fatal({ err: payload.error }, 'routing consumer crashed and will not restart');
    options.onFatal?.(payload.error);
  });
  await consumer.run(runConfig);
  // Alerts raised by configuration changes between batches still go out promptly;
  // verdicts settle with time, not only with new configuration changes.
  const alertTimer = setInterval(() => {
    if (verdicts.unsettled) watch();
    void flushAlerts().catch((error: unknown) => log.error({ err: error }, 'publishing alerts failed'));
  }, 500);
  log.info({ schemaId: deliveries.schemaId }, 'routing running');

  return {
    live,
    stats,
    stop: async () => {
      stopping = true;
      health.setReady(READY_PART, false);
      clearInterval(alertTimer);
      await consumer.disconnect();
      await live.stop();
      await flushAlerts().catch(() => undefined);
      await producer.disconnect();
      warnings.stop();
      log.info({ stats }, 'routing stopped; left the consumer group');
    },
  };
}
