// A redrive sends its records in rounds, each marked in Reativa's database
// once Kafka has acknowledged it (redrive.ts): a crash between sending a round
// and marking it sends at most that round again. Which records go together,
// and the marks they leave, decided here.
import type { Sendable } from './selection.js';

/** Letters sent, then marked, per round: what a crash between the two can send again. */
export const REDRIVE_ROUND = 100;

export interface RoundMessage {
  readonly key: Buffer | null;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/** A round's records for one topic, in the order they were selected. */
export interface RoundTopic {
  readonly topic: string;
  readonly messages: RoundMessage[];
}

/** A letter sent back: where it lies in its dead-letter topic, and where it went. */
export interface RoundMark {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly letterTimestamp: number;
  readonly targetTopic: string;
}

export interface RedriveRound {
  /** The round's records, grouped by the topic each goes back to. */
  readonly batches: RoundTopic[];
  /** One per letter of the round, to record once Kafka has acknowledged the batches. */
  readonly marks: RoundMark[];
}

/** `send` in rounds of at most `size` letters, oldest first as selected. */
export function redriveRounds(send: readonly Sendable[], size = REDRIVE_ROUND): RedriveRound[] {
  const rounds: RedriveRound[] = [];
  for (let i = 0; i < send.length; i += size) {
    const round = send.slice(i, i + size);
    const byTopic = new Map<string, RoundMessage[]>();
    for (const { record } of round) {
      const messages = byTopic.get(record.topic) ?? [];
      messages.push({ key: record.key, value: record.value, headers: { ...record.headers } });
      byTopic.set(record.topic, messages);
    }
    rounds.push({
      batches: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      marks: round.map(({ letter, record }) => ({ topic: letter.topic, partition: letter.partition, offset: letter.offset, letterTimestamp: letter.timestamp, targetTopic: record.topic })),
    });
  }
  return rounds;
}
