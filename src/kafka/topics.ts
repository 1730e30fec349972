// The topic catalogue: every topic Reativa reads or writes, with its settings,
// in one place. Topics are created explicitly at start rather than left to
// broker auto-creation, so partitions, replication and compaction are what we
// chose, and consumers find every topic they subscribe to. Reativa's own topics
// live under a namespace (REATIVA_NAMESPACE, "reativa" by default), so two
// environments — or a test and a running Reativa — can share one cluster.
import type { Admin, ITopicConfig } from 'kafkajs';
import { changeLogTopic } from '../capture/tables.js';
import { UnrecoverableError } from '../errors/unrecoverable-error.js';
import { waitFor } from '../util/wait.js';

export const DEFAULT_NAMESPACE = 'reativa';

export interface ReativaTopics {
  readonly namespace: string;
  readonly triggers: string;
  readonly triggersDlq: string;
  readonly deliveries: string;
  readonly deliveriesDlq: string;
  readonly alerts: string;
  readonly config: string;
  /** Changes sent back from the dead letters, each mapped as of its original position in the change log. */
  readonly changesRedrive: string;
  retry(step: number): string;
}

export function reativaTopics(namespace: string = DEFAULT_NAMESPACE): ReativaTopics {
  return {
    namespace,
    triggers: `${namespace}.triggers`,
    triggersDlq: `${namespace}.triggers.dlq`,
    deliveries: `${namespace}.deliveries`,
    deliveriesDlq: `${namespace}.deliveries.dlq`,
    alerts: `${namespace}.alerts`,
    config: `${namespace}.config`,
    changesRedrive: `${namespace}.changes.redrive`,
    retry: (step) => `${namespace}.deliveries.retry.${step}`,
  };
}

/** Reativa's topics in the default namespace. */
export const TOPICS = reativaTopics();

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly configEntries: readonly { name: string; value: string }[];
}

const DAY_MS = 24 * 3600 * 1000;

/** How long the dead-letter topics keep a letter (`reativa dlq` prunes its redrive marks by it). */
export const DEAD_LETTER_RETENTION_DAYS = 30;
const compacted = [{ name: 'cleanup.policy', value: 'compact' }];
const retained = (days: number) => [
  { name: 'cleanup.policy', value: 'delete' },
  { name: 'retention.ms', value: String(days * DAY_MS) },
];

/**
 * The change log: every captured table, in commit order, on one partition.
 * Compacted, but never within `historyMs` of the head (min.compaction.lag.ms):
 * the whole recent history stays for replays and backlogs, and past it the last
 * image of every row, so the state store can always be rebuilt from offset 0.
 */
export function changeLogSpec(prefix: string, historyMs: number): TopicSpec {
  return {
    topic: changeLogTopic(prefix),
    numPartitions: 1,
    configEntries: [
      ...compacted,
      { name: 'min.compaction.lag.ms', value: String(historyMs) },
      // Debezium's tombstones (one after each delete) let compaction forget a deleted row; kept as long as the history.
      { name: 'delete.retention.ms', value: String(historyMs) },
      // Segments roll daily, so closed ones can be compacted.
      { name: 'segment.ms', value: String(DAY_MS) },
    ],
  };
}

/** Reativa's own topics; `partitions` for the keyed ones (triggers, deliveries), which spread the work. */
export function reativaTopicSpecs(topics: ReativaTopics, partitions = 3): TopicSpec[] {
  return [
    { topic: topics.triggers, numPartitions: partitions, configEntries: retained(7) },
    { topic: topics.triggersDlq, numPartitions: 1, configEntries: retained(DEAD_LETTER_RETENTION_DAYS) },
    { topic: topics.deliveries, numPartitions: partitions, configEntries: retained(7) },
    { topic: topics.deliveriesDlq, numPartitions: 1, configEntries: retained(DEAD_LETTER_RETENTION_DAYS) },
    { topic: topics.alerts, numPartitions: 1, configEntries: retained(7) },
    { topic: topics.config, numPartitions: 1, configEntries: compacted },
    { topic: topics.changesRedrive, numPartitions: 1, configEntries: retained(30) },
  ];
}

/** One retry topic per step of the retry schedule. */
export function retryTopicSpecs(topics: ReativaTopics, steps: number, partitions = 3): TopicSpec[] {
  return Array.from({ length: steps }, (_, i) => ({ topic: topics.retry(i + 1), numPartitions: partitions, configEntries: retained(14) }));
}

/** Every topic of a deployment: the change log, Reativa's own topics and the retry topics. */
export function allTopicSpecs(plan: { changeTopicPrefix: string; historyMs: number; topics: ReativaTopics; retrySteps: number; partitions: number }): TopicSpec[] {
  return [changeLogSpec(plan.changeTopicPrefix, plan.historyMs), ...reativaTopicSpecs(plan.topics, plan.partitions), ...retryTopicSpecs(plan.topics, plan.retrySteps, plan.partitions)];
}

/**
 * Creates the topics that do not exist yet; existing ones are left as they are.
 * A cluster that refuses (too few brokers for the replication factor, no
 * permission, topic creation off) stops Reativa with the broker's reason.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[], replicationFactor = 1): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = specs
    .filter((s) => !existing.has(s.topic))
    .map((s) => ({ topic: s.topic, numPartitions: s.numPartitions, replicationFactor, configEntries: [...s.configEntries] }));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (error) {
    const reasons = (error as { errors?: { topic?: string; message?: string }[] }).errors?.map((e) => ({ topic: e.topic ?? '', message: e.message ?? 'refused' }));
    // Not a refusal (a connection lost, a timeout): classified as it is, so a start waits it out.
    if (!reasons?.length) throw error;
    // How many brokers there are turns "Replication-factor is invalid" into a number to set.
    const brokers = await admin.describeCluster().then(
      (cluster) => cluster.brokers.length,
      () => undefined,
    );
    const message = refusalMessage({ topics: missing.map((t) => t.topic), replicationFactor, brokers, reasons });
    throw new UnrecoverableError(message, { cause: error });
  }
  const created = missing.map((t) => t.topic);
  // Leaders are elected, but a broker may not act as one yet: a consumer or an
  // offset lookup right now fails with "not the leader". Made means usable.
  await waitFor(`the new topics to answer (${created.join(', ')})`, async () => {
    for (const topic of created) await admin.fetchTopicOffsets(topic);
    return true;
  }, { timeoutMs: 30_000, intervalMs: 100 });
  return created;
}

/**
 * What Reativa says when the cluster refuses its topics: the broker's reasons,
 * each once (a refusal is usually the same for every topic), and the setting
 * to change. Names topics and settings, never a credential.
 */
export function refusalMessage(refusal: { topics: readonly string[]; replicationFactor: number; brokers: number | undefined; reasons: readonly { topic: string; message: string }[] }): string {
  const { topics, replicationFactor, brokers } = refusal;
  const byReason = new Map<string, string[]>();
  for (const { topic, message } of refusal.reasons) byReason.set(message, [...(byReason.get(message) ?? []), topic]);
  const reasons = [...byReason]
    .map(([message, of]) => (of.length === topics.length || of.every((t) => t === '') ? message : `${message} (${of.join(', ')})`))
    .join('; ');
  const advice =
    brokers !== undefined && replicationFactor > brokers
      ? `REATIVA_TOPIC_REPLICATION_FACTOR is ${replicationFactor} but the cluster has ${brokers} broker${brokers === 1 ? '' : 's'}: set it to ${brokers} or less`
      : 'check REATIVA_TOPIC_REPLICATION_FACTOR and REATIVA_TOPIC_PARTITIONS against the cluster, and that Reativa may create topics there, or create the topics yourself';
  return `the Kafka cluster refused to create ${topics.length} topic${topics.length === 1 ? '' : 's'} (${topics.join(', ')}) with replication factor ${replicationFactor}: ${reasons}. ${advice}`;
}
