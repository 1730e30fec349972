// Trigger events as the mapper makes them: their deterministic ids and the
// ActionType code bodies carry. The event's shape is the topic contract
// (src/contracts/trigger-event.ts).
import { createHash } from 'node:crypto';
import type { Action, SourcePosition, TriggerKind } from '../contracts/trigger-event.js';

/** ActionType in every body: 0 Inclusão, 1 Alteração, 2 Exclusão. */
export const ACTION_TYPE: Record<Action, 0 | 1 | 2> = { insert: 0, update: 1, delete: 2 };

/**
 * A deterministic event id: the same source change mapped again (a replay, a
 * restart after a crash) yields the same id, so partners can drop duplicates.
 * `discriminator` tells apart the several events one change can produce.
 */
export function eventId(source: SourcePosition, kind: TriggerKind, discriminator: string): string {
  const digest = createHash('sha256')
    .update([source.lsn ?? 'nolsn', source.txId ?? 'notx', source.table, source.primaryKey, source.op, kind, discriminator].join('|'))
    .digest('hex');
  // Formatted as a UUID (version nibble 5, like a name-based UUID) for partners' convenience.
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-${((parseInt(digest.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${digest.slice(18, 20)}-${digest.slice(20, 32)}`;
}
