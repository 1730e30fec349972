// The I/O of a redrive, shared by `reativa dlq` (src/cli/dlq.ts) and the admin
// page (src/admin/letters.ts): the dead-letter topics read and planned, where
// their partitions start, and the records sent back in rounds, each marked in
// Reativa's database once Kafka has acknowledged it (rounds.ts). What a letter
// is and where it goes back to is decided in redrive-plan.ts and selection.ts.
import type { Admin, Kafka } from 'kafkajs';
import type { PartitionStart, RedriveMarks } from '../db/redrive-marks.js';
import { createProducer } from '../kafka/client.js';
import { sendAll } from '../kafka/produce.js';
import { readChangeLogAt } from '../kafka/read-at.js';
import { readTopic } from '../kafka/read-topic.js';
import { changeOffsetsOf, planLetter, readDeadLetter, type PlanContext, type PlannedLetter } from './redrive-plan.js';
import { redriveRounds } from './rounds.js';
import type { Sendable } from './selection.js';

/**
 * Every letter the topics hold now, planned; the changes partner_rules letters
 * name read back from the change log first, with its last offset now (the
 * position they are mapped as of).
 */
export async function readPlannedLetters(kafka: Kafka, context: PlanContext, topics: readonly string[]): Promise<PlannedLetter[]> {
  const read = (await Promise.all(topics.map(async (topic) => (await readTopic(kafka, topic)).map((r) => readDeadLetter(topic, r))))).flat();
  const changeLogNow = await readChangeLogAt(kafka, context.changeLog, changeOffsetsOf(read));
  return read.map((letter) => planLetter(letter, { ...context, ...(changeLogNow ? { changeLogNow } : {}) }));
}

/** Where each partition of these topics starts now: the marks of letters below it can go (RedriveMarks.prune). */
export async function partitionStarts(admin: Admin, topics: readonly string[]): Promise<PartitionStart[]> {
  const starts: PartitionStart[] = [];
  for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) starts.push({ topic, partition: p.partition, low: p.low });
  return starts;
}

export interface RoundsSent {
  /** Letters sent and marked. */
  readonly sent: number;
  /** Why it stopped part way: what was sent is marked, the rest can be sent again. */
  readonly error?: unknown;
}

/**
 * Sends `send` back in rounds: each round's records acknowledged by every
 * in-sync replica, then marked, before the next. Stops at the first failure,
 * saying how many were sent and marked by then.
 */
export async function sendInRounds(kafka: Kafka, marks: RedriveMarks, send: readonly Sendable[]): Promise<RoundsSent> {
  const producer = createProducer(kafka);
  await producer.connect();
  let sent = 0;
  try {
    for (const round of redriveRounds(send)) {
      await sendAll(producer, round.batches);
      await marks.mark(round.marks);
      sent += round.marks.length;
    }
    return { sent };
  } catch (error) {
    return { sent, error };
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}
