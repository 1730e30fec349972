// Trigger events as the mapper makes them: their deterministic ids and the
// ActionType code bodies carry. The event's shape is the topic contract
// (src/contracts/trigger-event.ts).
import { createHash } from 'node:crypto';
import type { Action, SourcePosition, TriggerEvent, TriggerKind } from '../contracts/trigger-event.js';

/** ActionType in every body: 0 Inclusão, 1 Alteração, 2 Exclusão. */
export const ACTION_TYPE: Record<Action, 0 | 1 | 2> = { insert: 0, update: 1, delete: 2 };

/**
 * A deterministic event id: the same source change mapped again (a replay, a
 * restart after a crash) yields the same id, so partners can drop duplicates.
 * `discriminator` tells apart the several events one change can produce.
 */
export function eventId(source: SourcePosition, kind: TriggerKind, discriminator: string): string {
  return uuidOf([source.lsn ?? 'nolsn', source.txId ?? 'notx', source.table, source.primaryKey, source.op, kind, discriminator].join('|'));
}

/**
 * The id of an event mapped again for the redrive of a partner_rules dead
 * letter: its change, with the state as of `asOf` (the change log's last
 * offset when the redrive was planned) rather than as of the change. A body
 * built from later data is another event, so another id; derived from the
 * original id and that position only, so the same redrive record mapped twice
 * (a crash, a replay of the redrive topic) gives the same id, and partners
 * drop the duplicate.
 */
export function redrivenEventId(originalId: string, asOf: number): string {
  return uuidOf(`redrive|${originalId}|${asOf}`);
}

/**
 * What the redrive of a partner_rules dead letter emits for its change:
 * each event as the mapper made it (as of `asOf`), with its redrive id and
 * restricted to the webhook that refused it — the other webhooks the change
 * reached have had it already.
 */
export function asRedriven(events: readonly TriggerEvent[], asOf: number, onlyWebhookId: number): TriggerEvent[] {
  return events.map((event) => ({ ...event, eventId: redrivenEventId(event.eventId, asOf), onlyWebhookId }));
}

/** A SHA-256 digest formatted as a UUID (version nibble 5, like a name-based UUID) for partners' convenience. */
function uuidOf(name: string): string {
  const digest = createHash('sha256').update(name).digest('hex');
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-${((parseInt(digest.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${digest.slice(18, 20)}-${digest.slice(20, 32)}`;
}
