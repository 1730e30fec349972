// Dead-letter records: the original record, the reason and the source
// position, as JSON (a malformed input must fit, so no schema that could reject it).
import type { KafkaMessage } from 'kafkajs';

export interface DeadLetter {
  readonly reason: string;
  readonly stage: string;
  readonly failedAt: string;
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string; readonly timestamp: string };
  readonly position: { readonly table: string | null; readonly lsn: number | null } | null;
  readonly key: string | null;
  readonly value: string | null;
}

export function deadLetter(
  stage: string,
  reason: string,
  topic: string,
  partition: number,
  message: KafkaMessage,
  position: DeadLetter['position'] = null,
): { key: Buffer | null; value: string; headers: Record<string, string> } {
  const record: DeadLetter = {
    reason,
    stage,
    failedAt: new Date().toISOString(),
    source: { topic, partition, offset: message.offset, timestamp: message.timestamp },
    position,
    key: message.key?.toString('utf8') ?? null,
    value: message.value?.toString('utf8') ?? null,
  };
  return { key: message.key, value: JSON.stringify(record), headers: { 'reativa-stage': stage, 'reativa-reason': reason.slice(0, 200) } };
}
