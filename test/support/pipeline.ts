// The mapper and routing running in the test process, on fresh consumer
// groups, with the ERP prerequisites on: what tests of routing and delivery
// stand on. Plus readers for Reativa's topics.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { changeTopic } from '../../src/capture/tables.js';
import { createErpPool } from '../../src/db/erp-enrichment.js';
import { positionAtEnd } from '../../src/kafka/groups.js';
import { MAPPED_TABLES } from '../../src/mapping/table-map.js';
import { createRegistry } from '../../src/kafka/registry.js';
import { TOPICS } from '../../src/kafka/topics.js';
import { createLogger } from '../../src/log.js';
import { startMapper, type RunningMapper } from '../../src/stages/mapper.js';
import type { Delivery } from '../../src/contracts/delivery.js';
import { DELIVERY } from '../../src/contracts/delivery.js';
import { AvroCodec } from '../../src/kafka/avro-codec.js';
import { startRouting, type RunningRouting } from '../../src/stages/routing.js';
import { deactivateWebhooks, settings, testKafka, TopicReader, unique } from './harness.js';

export const one = (rows: { id: string }[]) => Number(rows[0]!.id);

export const mapperTopics = () => MAPPED_TABLES.map((t) => changeTopic(settings.topicPrefix, t));

export interface Pipeline {
  readonly kafka: Kafka;
  readonly registry: SchemaRegistry;
  readonly mapper: RunningMapper;
  readonly routing: RunningRouting;
  /** Stops both and turns off the webhooks the test file made. */
  stop(): Promise<void>;
}

/** Positions a fresh delivery group (and its retry group) at the end of its topics. */
export async function freshDeliveryGroup(kafka: Kafka, retrySteps: number): Promise<string> {
  const groupId = unique('test-delivery');
  await positionAtEnd(kafka, groupId, [TOPICS.deliveries]);
  await positionAtEnd(kafka, `${groupId}-retry`, Array.from({ length: retrySteps }, (_, i) => TOPICS.retry(i + 1)));
  return groupId;
}

export async function startPipeline(pool: pg.Pool): Promise<Pipeline> {
  const kafka = testKafka();
  const registry = createRegistry(settings.schemaRegistryUrl);
  const enrichmentPool = createErpPool(settings.erpDatabaseUrl);
  await pool.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
  const logger = createLogger('warn');
  const [mapperGroup, routingGroup] = [unique('test-mapper'), unique('test-routing')];
  await positionAtEnd(kafka, mapperGroup, mapperTopics());
  await positionAtEnd(kafka, routingGroup, [TOPICS.triggers]);
  const mapper = await startMapper(kafka, registry, enrichmentPool, logger, { topicPrefix: settings.topicPrefix, groupId: mapperGroup });
  const routing = await startRouting(kafka, registry, logger, { topicPrefix: settings.topicPrefix, groupId: routingGroup });
  return {
    kafka,
    registry,
    mapper,
    routing,
    stop: async () => {
      await deactivateWebhooks(pool);
      await Promise.all([mapper.stop(), routing.stop()]);
      await enrichmentPool.end();
    },
  };
}

export function deliveryReader(kafka: Kafka, registry: SchemaRegistry): TopicReader<Delivery> {
  const codec = new AvroCodec(registry, DELIVERY);
  return new TopicReader<Delivery>(kafka, [TOPICS.deliveries], (value) => codec.decode(value!));
}

export function jsonReader<T>(kafka: Kafka, topic: string): TopicReader<T> {
  return new TopicReader<T>(kafka, [topic], (value) => JSON.parse(value!.toString()) as T);
}

/** `reativa start` arguments naming fresh mapper, routing and delivery groups, each positioned at the end. */
export async function freshGroupArgs(kafka: Kafka, retrySteps: number, mapperGroup = unique('test-mapper')): Promise<string[]> {
  const routingGroup = unique('test-routing');
  await positionAtEnd(kafka, mapperGroup, mapperTopics());
  await positionAtEnd(kafka, routingGroup, [TOPICS.triggers]);
  const deliveryGroup = await freshDeliveryGroup(kafka, retrySteps);
  return ['--mapper-group', mapperGroup, '--routing-group', routingGroup, '--delivery-group', deliveryGroup];
}

/**
 * A standard webhook on contracts (entity `contracts`, the given action) of an
 * integrator of its own, pointed at `${partnerBase}/<unique path>`.
 */
export async function contractsWebhook(
  pool: pg.Pool,
  partnerBase: string,
  options: { action: 'insert' | 'update'; maxAttempts: number; emails?: string },
): Promise<{ id: number; path: string }> {
  const integratorId = one((await pool.query<{ id: string }>('INSERT INTO integrators (alias, version) VALUES ($1, 3) RETURNING id', [unique('int')])).rows);
  const path = `/${unique('hook')}`;
  const id = one(
    (
      await pool.query<{ id: string }>(
        "INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ($1, $2, 'POST', $3, $4, $5, 'standard', true) RETURNING id",
        [unique('Parceiro'), integratorId, `${partnerBase}${path}`, options.maxAttempts, options.emails ?? 'ops@example.com'],
      )
    ).rows,
  );
  await pool.query("INSERT INTO webhook_triggers (webhook_id, entity, action) VALUES ($1, 'contracts', $2)", [id, options.action]);
  return { id, path };
}
