// The one way operator commands and the admin page read a topic: a consumer
// of a throwaway group (never committing, so it leaves nothing behind but an
// empty group), run until the reader has what it came for or the time is up.
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { waitFor } from '../util/wait.js';

export interface ReadOnce {
  readonly topic: string;
  /** The throwaway group's prefix, which says who read: `reativa-cli`, `reativa-admin`. */
  readonly groupPrefix: string;
  /** What is awaited, for the timeout's message. */
  readonly awaiting: string;
  readonly timeoutMs: number;
  /** Runs the consumer (`autoCommit: false`) and seeks where reading should start. */
  readonly start: (consumer: Consumer) => Promise<void>;
  /** True once everything wanted was read. */
  readonly done: () => boolean;
}

export async function readOnce(kafka: Kafka, read: ReadOnce): Promise<void> {
  const consumer = kafka.consumer({ groupId: `${read.groupPrefix}-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [read.topic], fromBeginning: true });
    await read.start(consumer);
    await waitFor(read.awaiting, async () => read.done(), { timeoutMs: read.timeoutMs, intervalMs: 50 });
  } finally {
    await consumer.disconnect();
  }
}
