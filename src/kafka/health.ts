import { Kafka, logLevel } from 'kafkajs';

/** One quick metadata round trip, no retries: is the cluster answering? Returns the broker count. */
export async function kafkaBrokerCount(brokers: readonly string[], timeoutMs = 3000): Promise<number> {
  const kafka = new Kafka({
    clientId: 'reativa-health',
    brokers: [...brokers],
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
