// Producing a batch's output without exceeding the broker's request limits:
// kafkajs puts everything for one partition into a single record batch, which
// the broker rejects past message.max.bytes (1 MiB by default) with a
// non-retriable error. Chunks stay well under that.
import type { Message, Producer, TopicMessages } from 'kafkajs';

export const DEFAULT_CHUNK_BYTES = 512 * 1024;

const sizeOf = (m: Message): number => {
  const bytes = (v: Message['value'] | Message['key']) => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);
  let headers = 0;
  for (const [k, v] of Object.entries(m.headers ?? {})) headers += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : 0);
  return bytes(m.key) + bytes(m.value) + headers + 64;
};

/** Splits topic messages into groups of at most maxBytes each, keeping order within a topic. */
export function chunkTopicMessages(topicMessages: readonly TopicMessages[], maxBytes = DEFAULT_CHUNK_BYTES): TopicMessages[][] {
  const chunks: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let size = 0;
  for (const { topic, messages } of topicMessages) {
    let slice: Message[] = [];
    for (const message of messages) {
      const s = sizeOf(message);
      if (size + s > maxBytes && size > 0) {
        if (slice.length > 0) current.push({ topic, messages: slice });
        chunks.push(current);
        current = [];
        slice = [];
        size = 0;
      }
      slice.push(message);
      size += s;
    }
    if (slice.length > 0) current.push({ topic, messages: slice });
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Sends in order, one chunk after the other, each acknowledged by all in-sync replicas. */
export async function sendAll(producer: Producer, topicMessages: readonly TopicMessages[], timeoutMs = 30_000): Promise<void> {
  for (const chunk of chunkTopicMessages(topicMessages)) {
    await producer.sendBatch({ topicMessages: chunk, acks: -1, timeout: timeoutMs });
  }
}
