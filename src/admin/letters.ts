// The dead letters as the admin page reads and redrives them, with the CLI's
// rules (`reativa dlq`, src/cli/dlq.ts): the letters planned by
// src/dead-letters, the marks of those sent back in Reativa's database
// (src/db/redrive-marks.ts), one redrive at a time per namespace (the same
// advisory lock as the CLI's), each round of records marked as soon as Kafka
// has acknowledged it, so a letter is never sent twice by two redrives.
import type { Kafka } from 'kafkajs';
import { changeLogTopic } from '../capture/tables.js';
import type { PlannedLetter } from '../dead-letters/redrive-plan.js';
import { partitionStarts, readPlannedLetters, sendInRounds } from '../dead-letters/redrive.js';
import { Marks, selectForRedrive, type LetterFilter, type RedriveSelection } from '../dead-letters/selection.js';
import { createClient } from '../db/pool.js';
import { RedriveMarks, type PartitionStart } from '../db/redrive-marks.js';
import { firstLine } from '../errors/first-line.js';
import { DEAD_LETTER_RETENTION_DAYS, type ReativaTopics } from '../kafka/topics.js';
import { REDRIVE_MAX } from './views/dead-letters-view.js';

export interface LetterSource {
  readonly kafka: Kafka;
  readonly topics: ReativaTopics;
  readonly reativaDatabaseUrl: string;
  readonly topicPrefix: string;
  readonly historyMs: number;
}

export type RedriveResult =
  | { readonly kind: 'sent'; readonly sent: number }
  /** Another redrive (the CLI's or another page's) holds the namespace's lock. */
  | { readonly kind: 'busy' }
  /** What would be sent now is not what was confirmed (letters redriven or gone meanwhile): confirm again. */
  | { readonly kind: 'changed'; readonly selection: RedriveSelection }
  /** Stopped part way: what was sent is marked; the rest can be sent again. */
  | { readonly kind: 'failed'; readonly sent: number; readonly error: string };

async function withMarks<T>(source: LetterSource, work: (marks: RedriveMarks) => Promise<T>): Promise<T> {
  const client = createClient({ connectionString: source.reativaDatabaseUrl, connectionTimeoutMillis: 5000, statement_timeout: 10_000 });
  await client.connect();
  try {
    return await work(new RedriveMarks(client));
  } finally {
    // Ending the session also releases the redrive lock, whatever happened.
    await client.end().catch(() => undefined);
  }
}

/** The namespace's dead-letter topics that exist, and where each partition starts now. */
async function existingTopics(source: LetterSource): Promise<{ topics: string[]; all: string[]; starts: PartitionStart[] }> {
  const admin = source.kafka.admin();
  await admin.connect();
  try {
    const all = await admin.listTopics();
    const topics = [source.topics.triggersDlq, source.topics.deliveriesDlq].filter((t) => all.includes(t));
    return { topics, all, starts: await partitionStarts(admin, topics) };
  } finally {
    await admin.disconnect();
  }
}

/** The letters planned as the CLI plans them. */
function readPlanned(source: LetterSource, topics: readonly string[]): Promise<PlannedLetter[]> {
  return readPlannedLetters(source.kafka, { topics: source.topics, changeLog: changeLogTopic(source.topicPrefix), historyMs: source.historyMs, now: Date.now() }, topics);
}

/** Every letter the topics hold now, planned, with the marks of those already sent back. */
export async function readLetters(source: LetterSource): Promise<{ letters: PlannedLetter[]; marks: Marks }> {
  const { topics } = await existingTopics(source);
  const letters = await readPlanned(source, topics);
  const marks = await withMarks(source, async (m) => new Marks(await m.read([source.topics.triggersDlq, source.topics.deliveriesDlq])));
  return { letters, marks };
}

/** What a redrive of `filter` would send now (at most REDRIVE_MAX), for the confirmation step. */
export async function planRedrive(source: LetterSource, filter: LetterFilter): Promise<RedriveSelection> {
  const { letters, marks } = await readLetters(source);
  return selectForRedrive(letters, marks, filter, { limit: REDRIVE_MAX });
}

/**
 * Sends back what `filter` selects, provided it is still the `expected`
 * number of records the operator confirmed; under the namespace's redrive
 * lock, in rounds, each round marked once Kafka acknowledged it.
 */
export async function redrive(source: LetterSource, filter: LetterFilter, expected: number): Promise<RedriveResult> {
  return withMarks(source, async (marks) => {
    if (!(await marks.tryLock(source.topics.namespace))) return { kind: 'busy' };
    const { topics, all, starts } = await existingTopics(source);
    await marks.prune(DEAD_LETTER_RETENTION_DAYS, all, starts);
    const letters = await readPlanned(source, topics);
    const selection = selectForRedrive(letters, new Marks(await marks.read([source.topics.triggersDlq, source.topics.deliveriesDlq])), filter, { limit: REDRIVE_MAX });
    if (selection.send.length !== expected) return { kind: 'changed', selection };
    const { sent, error } = await sendInRounds(source.kafka, marks, selection.send);
    return error === undefined ? { kind: 'sent', sent } : { kind: 'failed', sent, error: firstLine(error) };
  });
}
