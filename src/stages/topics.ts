// The topics a deployment needs, from its settings, created (or found) at start
// in every stack mode, with the partitions and replication factor configured.
import type { Kafka } from 'kafkajs';
import { explainKafkaRefusal } from '../kafka/client.js';
import { allTopicSpecs, ensureTopics, reativaTopics, type ReativaTopics } from '../kafka/topics.js';
import type { Settings } from '../settings.js';

export const topicsOf = (settings: Settings): ReativaTopics => reativaTopics(settings.topics.namespace);

/** Creates what is missing; returns the topics created. */
export async function ensureDeploymentTopics(kafka: Kafka, settings: Settings): Promise<string[]> {
  const admin = kafka.admin();
  // The first call of a start to Kafka: wrong credentials are named here, once, and stop the process.
  await admin.connect().catch((error: unknown) => {
    throw explainKafkaRefusal(error);
  });
  try {
    const specs = allTopicSpecs({
      changeTopicPrefix: settings.topicPrefix,
      historyMs: settings.state.historyMs,
      topics: topicsOf(settings),
      retrySteps: settings.delivery.retryScheduleMs.length,
      partitions: settings.topics.partitions,
    });
    return await ensureTopics(admin, specs, settings.topics.replicationFactor);
  } finally {
    await admin.disconnect();
  }
}
