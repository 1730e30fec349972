// Reading a few given offsets of the change log (one partition), and where it
// starts and ends: `reativa dlq` and the admin page read back the changes
// partner_rules dead letters name, to send them to the mapper again
// (src/dead-letters/redrive-plan.ts). The log holds a week of every change, so
// the reader seeks from one wanted offset to the next instead of reading between.
import type { Kafka } from 'kafkajs';
import type { ChangeLogReading, ChangeLogRecord } from '../dead-letters/redrive-plan.js';
import { readOnce } from './read-once.js';

/** A gap past which the reader seeks rather than reads on: about one fetch of small change events. */
const SEEK_GAP = 500;

/**
 * The records at `offsets` of `topic`'s partition 0 (those compacted away or
 * outside the log are left out), with the log's first and last offsets as
 * they were when it began. Undefined when no offset is asked for: nothing is read.
 */
export async function readChangeLogAt(kafka: Kafka, topic: string, offsets: readonly number[], timeoutMs = 30_000): Promise<ChangeLogReading | undefined> {
  if (offsets.length === 0) return undefined;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const bounds = ends.find((e) => e.partition === 0);
  const low = Number(bounds?.low ?? 0);
  const high = Number(bounds?.high ?? 0);
  const records = new Map<number, ChangeLogRecord>();
  const wanted = [...new Set(offsets)].filter((o) => o >= low && o < high).sort((a, b) => a - b);
  if (wanted.length === 0) return { low, last: high - 1, records };

  let next = 0;
  await readOnce(kafka, {
    topic,
    groupPrefix: 'reativa-cli',
    awaiting: `offsets ${wanted.join(', ')} of ${topic}`,
    timeoutMs,
    start: async (consumer) => {
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.partition !== 0) return;
          for (const message of batch.messages) {
            const offset = Number(message.offset);
            // Offsets passed without a record were compacted away: not in the log any more.
            while (next < wanted.length && wanted[next]! < offset) next += 1;
            if (next < wanted.length && wanted[next] === offset) {
              records.set(offset, { key: message.key, value: message.value, timestamp: message.timestamp });
              next += 1;
            }
          }
          const last = batch.messages.length > 0 ? Number(batch.messages[batch.messages.length - 1]!.offset) : -1;
          if (last >= high - 1) next = wanted.length;
          if (next < wanted.length && wanted[next]! - last > SEEK_GAP) consumer.seek({ topic, partition: 0, offset: String(wanted[next]) });
        },
      });
      consumer.seek({ topic, partition: 0, offset: String(wanted[0]) });
    },
    done: () => next >= wanted.length,
  });
  return { low, last: high - 1, records };
}
