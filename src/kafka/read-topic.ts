// Reading a whole topic once, from its start to the end it had when we began:
// for operator commands such as `reativa dlq list`.
import type { Kafka, KafkaMessage } from 'kafkajs';
import { readOnce } from './read-once.js';

export interface ReadRecord {
  readonly partition: number;
  readonly message: KafkaMessage;
}

export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const pending = new Map(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]));
  const records: ReadRecord[] = [];
  if (pending.size === 0) return records;
  await readOnce(kafka, {
    topic,
    groupPrefix: 'reativa-cli',
    awaiting: `the end of ${topic}`,
    timeoutMs,
    start: (consumer) => consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const end = pending.get(partition);
        if (end === undefined || BigInt(message.offset) >= end) return;
        records.push({ partition, message });
        if (BigInt(message.offset) + 1n >= end) pending.delete(partition);
      },
    }),
    done: () => pending.size === 0,
  });
  return records.sort((a, b) => Number(a.message.timestamp) - Number(b.message.timestamp));
}
