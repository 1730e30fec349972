// The mapper and routing running in the test process, in a namespace of the
// test's own (its own Reativa topics and consumer groups), with the ERP
// prerequisites on: what tests of routing and delivery stand on. A test never
// reads or writes the running Reativa's topics, and a used stack's history
// (other tests' webhooks, a demo's traffic) never reaches it.
import type { Notices } from '../../src/delivery/ports.js';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { changeLogTopic } from '../../src/capture/tables.js';
import { DELIVERY, type Delivery } from '../../src/contracts/delivery.js';
import { DEFAULT_SCHEDULE, type RetrySchedule } from '../../src/delivery/retry-policy.js';
import { AvroCodec } from '../../src/kafka/avro-codec.js';
import { positionAtEnd } from '../../src/kafka/groups.js';
import { createRegistry } from '../../src/kafka/registry.js';
import { ensureTopics, reativaTopics, reativaTopicSpecs, retryTopicSpecs, type ReativaTopics } from '../../src/kafka/topics.js';
import { ErpSecretReader } from '../../src/config/secrets.js';
import { createLogger, type Logger } from '../../src/log.js';
import type { DeliveryOptions } from '../../src/stages/delivery/runner.js';
import { startMapper, type RunningMapper } from '../../src/stages/mapper/runner.js';
import { groupsOf } from '../../src/stages/registry.js';
import { startRouting, type RunningRouting } from '../../src/stages/routing.js';
import { deactivateWebhooks, settings, testKafka, testWebhookName, TopicReader, unique } from './harness.js';

export const one = (rows: { id: string }[]) => Number(rows[0]!.id);

export const changeLog = () => changeLogTopic(settings.topicPrefix);

/** Retry steps test namespaces get topics for: enough for any schedule a test uses. */
export const TEST_RETRY_STEPS = 6;

export interface TestNamespace {
  readonly topics: ReativaTopics;
  readonly groups: ReturnType<typeof groupsOf>;
  /** Deletes the namespace's topics. */
  drop(): Promise<void>;
}

/**
 * A namespace of the test's own: its Reativa topics, created now, and its group
 * ids; the mapper's group starts at the change log's end, so it maps only what
 * the test changes in the ERP.
 */
export async function testNamespace(kafka: Kafka, name = unique('test')): Promise<TestNamespace> {
  const topics = reativaTopics(name);
  const groups = groupsOf(name);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [...reativaTopicSpecs(topics, 3), ...retryTopicSpecs(topics, TEST_RETRY_STEPS, 3)]);
  } finally {
    await admin.disconnect();
  }
  await positionAtEnd(kafka, groups.mapper, [changeLog()]);
  return {
    topics,
    groups,
    drop: async () => {
      const a = kafka.admin();
      await a.connect();
      const names = [...reativaTopicSpecs(topics), ...retryTopicSpecs(topics, TEST_RETRY_STEPS)].map((s) => s.topic);
      await a.deleteTopics({ topics: names }).catch(() => undefined);
      await a.disconnect();
    },
  };
}

export interface Pipeline {
  readonly kafka: Kafka;
  readonly registry: SchemaRegistry;
  readonly namespace: TestNamespace;
  readonly topics: ReativaTopics;
  readonly mapper: RunningMapper;
  readonly routing: RunningRouting;
  /** Stops the mapper, runs `meanwhile` (a replay, say), and starts it again in the same group. */
  restartMapper(meanwhile?: () => Promise<void>): Promise<RunningMapper>;
  /** Stops both, turns off the webhooks the test file made, and drops the namespace. */
  stop(): Promise<void>;
}

/**
 * `logger`: where the pipeline's processes log (a test that reads the logs gives one writing to a buffer).
 * `notices`: where routing's alert e-mails go (an AlertDigest); none by default.
 */
export async function startPipeline(pool: pg.Pool, options: { logger?: Logger; notices?: Notices } = {}): Promise<Pipeline> {
  const kafka = testKafka();
  const registry = createRegistry(settings.schemaRegistryUrl);
  const logger = options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  // Webhooks a crashed run left on would be in this namespace's configuration too.
  await deactivateWebhooks(pool);
  const namespace = await testNamespace(kafka);
  const { topics } = namespace;
  const mapperOptions = { topicPrefix: settings.topicPrefix, stateDir: settings.state.dir, topics, groupId: namespace.groups.mapper };
  let mapper = await startMapper(kafka, registry, logger, mapperOptions);
  // Secrets are read from the ERP with Reativa's runtime role, as `reativa start` does.
  const routing = await startRouting(kafka, registry, logger, { topics, groupId: namespace.groups.routing, secrets: new ErpSecretReader(settings.erpDatabaseUrl, logger), ...(options.notices ? { notices: options.notices } : {}) });
  // After the mapper starts: it carries configuration changes from the change log to
  // the namespace's config topic, and it starts at the log's end.
  await pool.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
  return {
    kafka,
    registry,
    namespace,
    topics,
    get mapper() {
      return mapper;
    },
    routing,
    restartMapper: async (meanwhile) => {
      await mapper.stop();
      await meanwhile?.();
      mapper = await startMapper(kafka, registry, logger, mapperOptions);
      return mapper;
    },
    stop: async () => {
      await deactivateWebhooks(pool);
      await Promise.all([mapper.stop(), routing.stop()]);
      await namespace.drop();
    },
  };
}

/**
 * Delivery as the tests run it, in the pipeline's namespace: Reativa's retry
 * schedule with the test's short steps (`schedule`), timeouts of a second or
 * two, the partner simulator's 127.0.0.1 allowed past the address guard, 8
 * requests in flight per webhook. `overrides`: what a test is about.
 */
export function testDeliveryOptions(pipeline: Pipeline, schedule: Partial<RetrySchedule>, overrides: Partial<DeliveryOptions> = {}): DeliveryOptions {
  return {
    topics: pipeline.topics,
    groupId: pipeline.namespace.groups.delivery,
    schedule: { ...DEFAULT_SCHEDULE, ...schedule },
    sender: { connectTimeoutMs: 1000, responseTimeoutMs: 2000, attemptDeadlineMs: 5000, allowHosts: ['127.0.0.1'], httpsOnly: false },
    maxInFlightPerWebhook: 8,
    maxPending: 1000,
    breakerThreshold: 5,
    attemptLogRetentionDays: 30,
    ...overrides,
  };
}

export function deliveryReader(kafka: Kafka, registry: SchemaRegistry, topics: ReativaTopics, from: 'end' | 'beginning' = 'end'): TopicReader<Delivery> {
  const codec = new AvroCodec(registry, DELIVERY);
  return new TopicReader<Delivery>(kafka, [topics.deliveries], (value) => codec.decode(value!), from);
}

export function jsonReader<T>(kafka: Kafka, topic: string): TopicReader<T> {
  return new TopicReader<T>(kafka, [topic], (value) => JSON.parse(value!.toString()) as T);
}

/** `reativa start` in a namespace of the test's own: the environment and group arguments for ReativaProcess. */
export async function processNamespace(kafka: Kafka): Promise<{ namespace: TestNamespace; env: NodeJS.ProcessEnv }> {
  const namespace = await testNamespace(kafka);
  return { namespace, env: { REATIVA_NAMESPACE: namespace.topics.namespace } };
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
        [testWebhookName('parceiro'), integratorId, `${partnerBase}${path}`, options.maxAttempts, options.emails ?? `${unique('ops')}@example.com`],
      )
    ).rows,
  );
  await pool.query("INSERT INTO webhook_triggers (webhook_id, entity, action) VALUES ($1, 'contracts', $2)", [id, options.action]);
  return { id, path };
}
