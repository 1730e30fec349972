import { Kafka, logLevel } from 'kafkajs';
import { kafkaSecurity, type KafkaConnection } from './client.js';

/** One quick metadata round trip, no retries: is the cluster answering? Returns the broker count. */
export async function kafkaBrokerCount(target: readonly string[] | Pick<KafkaConnection, 'brokers' | 'tls' | 'sasl'>, timeoutMs = 3000): Promise<number> {
  // A list of brokers: the embedded stack's plaintext listener; a connection: the cluster as Reativa's processes reach it (TLS, SASL).
  const connection = Array.isArray(target) ? { brokers: target as readonly string[] } : (target as Pick<KafkaConnection, 'brokers' | 'tls' | 'sasl'>);
  const kafka = new Kafka({
    clientId: 'reativa-health',
    brokers: [...connection.brokers],
    ...kafkaSecurity(connection),
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
