// The marks of dead letters sent back by `reativa dlq redrive`, in Reativa's
// own database (reativa.dead_letter_redrives, migration 005): which letter,
// when, to which topic. A letter is marked right after Kafka acknowledged its
// record, so a crash in between can send it again; a second redrive skips what
// is marked. Redrives of one namespace take turns under an advisory lock.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { RedriveMark } from '../dead-letters/selection.js';

interface MarkRow {
  dlq_topic: string;
  dlq_partition: number;
  dlq_offset: string;
  letter_timestamp: string;
  target_topic: string;
  redriven_at: Date;
}

/** A letter just sent back. */
export interface NewMark {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly letterTimestamp: number;
  readonly targetTopic: string;
}

/** Where a dead-letter partition starts now: letters below `low` are gone. */
export interface PartitionStart {
  readonly topic: string;
  readonly partition: number;
  readonly low: string;
}

export class RedriveMarks {
  constructor(private readonly client: pg.Client) {}

  async read(topics: readonly string[]): Promise<RedriveMark[]> {
    const { rows } = await this.client.query<MarkRow>(
      'SELECT dlq_topic, dlq_partition, dlq_offset, letter_timestamp, target_topic, redriven_at FROM reativa.dead_letter_redrives WHERE dlq_topic = ANY($1::text[])',
      [topics],
    );
    return rows.map((r) => ({
      topic: r.dlq_topic,
      partition: r.dlq_partition,
      offset: String(r.dlq_offset),
      letterTimestamp: Number(r.letter_timestamp),
      redrivenAt: r.redriven_at.toISOString(),
      targetTopic: r.target_topic,
    }));
  }

  /** Marks letters as sent back now (again, when they were before). */
  async mark(marks: readonly NewMark[]): Promise<void> {
    if (marks.length === 0) return;
    await this.client.query(
      `INSERT INTO reativa.dead_letter_redrives AS m (dlq_topic, dlq_partition, dlq_offset, letter_timestamp, target_topic)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[], $5::text[])
       ON CONFLICT (dlq_topic, dlq_partition, dlq_offset) DO UPDATE
         SET redriven_at = now(), target_topic = EXCLUDED.target_topic, letter_timestamp = EXCLUDED.letter_timestamp,
             times = CASE WHEN m.letter_timestamp = EXCLUDED.letter_timestamp THEN m.times + 1 ELSE 1 END`,
      [marks.map((m) => m.topic), marks.map((m) => m.partition), marks.map((m) => m.offset), marks.map((m) => m.letterTimestamp), marks.map((m) => m.targetTopic)],
    );
  }

  /**
   * Deletes marks older than the dead-letter topics' retention whose letter is
   * gone: below its partition's start (`starts`, this namespace's topics), or
   * in a topic the cluster no longer has. A topic keeps a letter a little past
   * its retention (Kafka deletes whole segments), so a mark stays while its
   * letter does. Marks of other namespaces' topics that still exist are left to them.
   */
  async prune(retentionDays: number, existingTopics: readonly string[], starts: readonly PartitionStart[]): Promise<number> {
    const result = await this.client.query(
      `DELETE FROM reativa.dead_letter_redrives m
       WHERE m.redriven_at < now() - make_interval(days => $1)
         AND (NOT (m.dlq_topic = ANY($2::text[]))
              OR m.dlq_offset < (SELECT s.low FROM unnest($3::text[], $4::int[], $5::bigint[]) AS s(topic, part, low)
                                 WHERE s.topic = m.dlq_topic AND s.part = m.dlq_partition))`,
      [retentionDays, existingTopics, starts.map((s) => s.topic), starts.map((s) => s.partition), starts.map((s) => s.low)],
    );
    return result.rowCount ?? 0;
  }

  /**
   * Takes the namespace's redrive lock for this session, or answers false when
   * another redrive holds it: two at once could both send what neither had marked yet.
   */
  async tryLock(namespace: string): Promise<boolean> {
    const { rows } = await this.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [redriveLockKey(namespace)]);
    return rows[0]?.locked === true;
  }
}

/** The advisory lock key of a namespace's redrives (the first 8 bytes of a SHA-256, as a signed bigint). */
export function redriveLockKey(namespace: string): string {
  return createHash('sha256').update(`reativa dlq redrive ${namespace}`).digest().readBigInt64BE(0).toString();
}
