// The routing process: consumer group reativa-routing over reativa.triggers.
// Per batch: sync the live configuration, decode the events, route them
// (pure), produce deliveries (Avro, keyed by webhook and contract), dead
// letters and alerts, then commit. Invalid webhooks are announced on
// reativa.alerts when their problems change.
import { Partitioners, type EachBatchPayload, type Kafka, type Message } from 'kafkajs';
import { alert, type Alert } from '../alerts/alert.js';
import { LiveConfig } from '../config/live.js';
import type { ResolvedWebhook } from '../config/webhooks.js';
import { deadLetter } from '../kafka/dead-letter.js';
import { sendAll } from '../kafka/produce.js';
import { readAvroSchema, registerValueSchema, type SchemaRegistry } from '../kafka/registry.js';
import { TOPICS } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import { decodeTriggerEvent } from '../mapping/runner.js';
import type { Body, TriggerEvent } from '../mapping/trigger.js';
import { deliveryKey, route, type Delivery } from './route.js';

export const ROUTING_GROUP = 'reativa-routing';

export interface RoutingOptions {
  readonly topicPrefix: string;
  readonly groupId?: string;
  readonly sessionTimeoutMs?: number;
  readonly onFatal?: (error: Error) => void;
}

export interface RoutingStats {
  events: number;
  deliveries: number;
  rejected: number;
  deadLetters: number;
}

export const toDeliveryAvro = (d: Delivery) => ({ ...d, body: JSON.stringify(d.body) });

export type DeliveryAvro = Omit<Delivery, 'body'> & { body: string };

/**
 * A delivery read back from reativa.deliveries (the inverse of toDeliveryAvro),
 * with its body kept as the text routing wrote, parsed only if read. A class,
 * not a spread with a getter: delivery makes one per record.
 */
export class ReceivedDelivery implements Delivery {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly webhookId: number;
  readonly integratorId: number | null;
  readonly contractId: number | null;
  readonly aggregateKey: string;
  readonly kind: string;
  readonly entity: string | null;
  readonly action: string;
  readonly method: string;
  readonly url: string;
  readonly committedAt: number;
  readonly routedAt: number;
  readonly bodyText: string;
  private parsed: Body | undefined;

  constructor(record: DeliveryAvro) {
    this.deliveryId = record.deliveryId;
    this.eventId = record.eventId;
    this.webhookId = record.webhookId;
    this.integratorId = record.integratorId;
    this.contractId = record.contractId;
    this.aggregateKey = record.aggregateKey;
    this.kind = record.kind;
    this.entity = record.entity;
    this.action = record.action;
    this.method = record.method;
    this.url = record.url;
    this.committedAt = record.committedAt;
    this.routedAt = record.routedAt;
    this.bodyText = record.body;
  }

  get body(): Body {
    return (this.parsed ??= JSON.parse(this.bodyText) as Body);
  }
}

export const fromDeliveryAvro = (record: DeliveryAvro) => new ReceivedDelivery(record);

export async function decodeDelivery(registry: SchemaRegistry, value: Buffer): Promise<ReceivedDelivery> {
  return fromDeliveryAvro((await registry.decode(value)) as DeliveryAvro);
}

export interface RunningRouting {
  readonly live: LiveConfig;
  readonly stats: RoutingStats;
  stop(): Promise<void>;
}

const alertMessage = (a: Alert): Message => ({ key: String(a.webhookId), value: JSON.stringify(a), headers: { 'reativa-alert-id': a.alertId } });

export async function startRouting(kafka: Kafka, registry: SchemaRegistry, logger: Logger, options: RoutingOptions): Promise<RunningRouting> {
  const groupId = options.groupId ?? ROUTING_GROUP;
  const log = logger.child({ component: 'routing', group: groupId });
  const stats: RoutingStats = { events: 0, deliveries: 0, rejected: 0, deadLetters: 0 };
  const schemaId = await registerValueSchema(registry, TOPICS.deliveries, readAvroSchema('delivery'));
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();

  // Announce a webhook's validity when it changes. Configuration tables arrive on
  // separate topics, so a webhook can be seen a moment before its integrator or its
  // triggers: a verdict is announced only once it has held for VERDICT_SETTLE_MS,
  // and only for webhooks switched on in the ERP.
  const VERDICT_SETTLE_MS = 2000;
  const announced = new Map<number, string>();
  const candidates = new Map<number, { signature: string; since: number }>();
  const pendingAlerts: Message[] = [];
  const watch = (webhooks: ResolvedWebhook[], now = Date.now()) => {
    for (const w of webhooks) {
      const signature = w.enabled ? w.problems.map((p) => p.message).join('\n') : '';
      if ((announced.get(w.id) ?? '') === signature) {
        candidates.delete(w.id);
        continue;
      }
      const candidate = candidates.get(w.id);
      if (candidate?.signature !== signature) {
        candidates.set(w.id, { signature, since: now });
        continue;
      }
      if (now - candidate.since < VERDICT_SETTLE_MS) continue;
      candidates.delete(w.id);
      const wasInvalid = (announced.get(w.id) ?? '') !== '';
      announced.set(w.id, signature);
      if (signature !== '') {
        log.warn({ webhookId: w.id, webhook: w.name, problems: w.problems }, 'webhook inactive: invalid configuration');
        pendingAlerts.push(alertMessage(alert('webhook_invalid', w, `Webhook "${w.name}" inativo: ${w.problems.map((p) => p.message).join('; ')}`, { problems: w.problems }, signature)));
      } else if (wasInvalid) {
        log.info({ webhookId: w.id, webhook: w.name }, 'webhook configuration valid again');
        pendingAlerts.push(alertMessage(alert('webhook_valid', w, `Webhook "${w.name}" com configuração válida novamente`, {}, `valid|${now}`)));
      }
    }
  };
  const live = new LiveConfig(kafka, logger, options.topicPrefix);
  await live.start();
  // Only once the configuration is loaded: a half-read view is not worth an alert.
  live.onChange((webhooks) => watch(webhooks));
  watch(live.webhooks());
  const flushAlerts = async () => {
    if (pendingAlerts.length > 0) await sendAll(producer, [{ topic: TOPICS.alerts, messages: pendingAlerts.splice(0) }]);
  };
  await flushAlerts();

  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const consumer = kafka.consumer({ groupId, sessionTimeout, heartbeatInterval: Math.floor(sessionTimeout / 10) });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPICS.triggers], fromBeginning: true });

  const processBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    await live.sync();
    const deliveries: Message[] = [];
    const dead: Message[] = [];
    const now = Date.now();
    const webhooks = live.webhooks();
    for (const message of batch.messages) {
      let event: TriggerEvent;
      try {
        event = await decodeTriggerEvent(registry, message.value!);
      } catch (error) {
        dead.push(deadLetter('route', `undecodable trigger event: ${(error as Error).message}`, batch.topic, batch.partition, message));
        continue;
      }
      stats.events += 1;
      for (const routed of route(event, webhooks, live.prerequisitesAt, now)) {
        if (routed.outcome === 'deliver') {
          const d = routed.delivery;
          deliveries.push({ key: deliveryKey(d), value: await registry.encode(schemaId, toDeliveryAvro(d)), headers: { 'reativa-event-id': d.eventId, 'reativa-delivery-id': d.deliveryId } });
          continue;
        }
        // The partner would refuse this client's data: dead letter and alert, no request, no retries.
        const w = routed.webhook;
        log.warn({ webhookId: w.id, eventId: event.eventId, contractId: event.contractId, reasons: routed.reasons }, 'delivery refused by partner rules');
        stats.rejected += 1;
        dead.push({
          key: `${w.id}|${event.aggregateKey}`,
          value: JSON.stringify({ stage: 'partner_rules', reason: routed.reasons.join('; '), reasons: routed.reasons, failedAt: new Date(now).toISOString(), eventId: event.eventId, webhookId: w.id, webhookName: w.name, contractId: event.contractId, kind: event.kind, action: event.action, attempts: [] }),
          headers: { 'reativa-event-id': event.eventId, 'reativa-stage': 'partner_rules' },
        });
        pendingAlerts.push(
          alertMessage(alert('client_data_missing', w, `Contrato ${event.contractId ?? '-'}: envio ao webhook "${w.name}" bloqueado: ${routed.reasons.join('; ')}`, { eventId: event.eventId, contractId: event.contractId, reasons: routed.reasons }, event.eventId)),
        );
      }
    }
    await sendAll(producer, [
      { topic: TOPICS.deliveries, messages: deliveries },
      { topic: TOPICS.deliveriesDlq, messages: dead },
      { topic: TOPICS.alerts, messages: pendingAlerts.splice(0) },
    ].filter((t) => t.messages.length > 0));
    const last = batch.messages[batch.messages.length - 1]!;
    resolveOffset(last.offset);
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
    await heartbeat();
    stats.deliveries += deliveries.length;
    stats.deadLetters += dead.length;
  };

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) return;
    log.fatal({ err: payload.error }, 'routing consumer crashed and will not restart');
    options.onFatal?.(payload.error);
  });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 3, eachBatch: processBatch });
  // Alerts raised by configuration changes between batches still go out promptly.
  const alertTimer = setInterval(() => {
    // Verdicts settle with time, not only with new configuration changes.
    if (candidates.size > 0) watch(live.webhooks());
    void flushAlerts().catch((error: unknown) => log.error({ err: error }, 'publishing alerts failed'));
  }, 500);
  log.info({ schemaId }, 'routing running');

  return {
    live,
    stats,
    stop: async () => {
      clearInterval(alertTimer);
      await consumer.disconnect();
      await live.stop();
      await flushAlerts().catch(() => undefined);
      await producer.disconnect();
      log.info({ stats }, 'routing stopped; left the consumer group');
    },
  };
}
