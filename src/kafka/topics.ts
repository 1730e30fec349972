// The topic catalogue: every topic Reativa reads or writes, with its settings,
// in one place. Topics are created explicitly at startup rather than left to
// broker auto-creation, so partitions and compaction are what we chose, and so
// consumers that subscribe to a list of change topics find all of them.
import type { Admin, ITopicConfig } from 'kafkajs';
import { CAPTURED_TABLES, changeTopic, isConfigurationTable } from '../capture/tables.js';

export const TOPICS = {
  triggers: 'reativa.triggers',
  triggersDlq: 'reativa.triggers.dlq',
  deliveries: 'reativa.deliveries',
  deliveriesDlq: 'reativa.deliveries.dlq',
  alerts: 'reativa.alerts',
  retry: (n: number) => `reativa.deliveries.retry.${n}`,
} as const;

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly configEntries: readonly { name: string; value: string }[];
}

const WEEK_MS = String(7 * 24 * 3600 * 1000);
const compacted = [{ name: 'cleanup.policy', value: 'compact' }];
const retained = (ms: string) => [
  { name: 'cleanup.policy', value: 'delete' },
  { name: 'retention.ms', value: ms },
];

/** Debezium's change topics, one per captured table; configuration tables are compacted. */
export function changeTopicSpecs(prefix: string, partitions = 3): TopicSpec[] {
  return CAPTURED_TABLES.map((table) =>
    isConfigurationTable(table)
      ? { topic: changeTopic(prefix, table), numPartitions: 1, configEntries: compacted }
      : { topic: changeTopic(prefix, table), numPartitions: partitions, configEntries: retained(WEEK_MS) },
  );
}

export function reativaTopicSpecs(partitions = 3): TopicSpec[] {
  return [
    { topic: TOPICS.triggers, numPartitions: partitions, configEntries: retained(WEEK_MS) },
    { topic: TOPICS.triggersDlq, numPartitions: 1, configEntries: retained(String(30 * 24 * 3600 * 1000)) },
    { topic: TOPICS.deliveries, numPartitions: partitions, configEntries: retained(WEEK_MS) },
    { topic: TOPICS.deliveriesDlq, numPartitions: 1, configEntries: retained(String(30 * 24 * 3600 * 1000)) },
    { topic: TOPICS.alerts, numPartitions: 1, configEntries: retained(WEEK_MS) },
  ];
}

/** One retry topic per step of the retry schedule. */
export function retryTopicSpecs(steps: number, partitions = 3): TopicSpec[] {
  return Array.from({ length: steps }, (_, i) => ({ topic: TOPICS.retry(i + 1), numPartitions: partitions, configEntries: [{ name: 'retention.ms', value: String(14 * 24 * 3600 * 1000) }] }));
}

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[], replicationFactor = 1): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = specs
    .filter((s) => !existing.has(s.topic))
    .map((s) => ({ topic: s.topic, numPartitions: s.numPartitions, replicationFactor, configEntries: [...s.configEntries] }));
  if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  return missing.map((t) => t.topic);
}
