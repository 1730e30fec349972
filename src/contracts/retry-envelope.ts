// The retry topics (reativa.deliveries.retry.<n>) carry the delivery record as
// routed, byte for byte, and this envelope in Kafka headers: which attempt the
// record is waiting for, when it falls due, and the attempts so far.
import type { AttemptSummary } from './dead-letter.js';

export const RETRY_HEADERS = { attempt: 'reativa-attempt', dueAt: 'reativa-due-at', history: 'reativa-history', eventId: 'reativa-event-id' } as const;

export interface RetryEnvelope {
  /** The attempt this record waits for (2 for the first retry). */
  readonly attempt: number;
  /** Epoch ms when it may be attempted. */
  readonly dueAt: number;
  readonly history: readonly AttemptSummary[];
}

type Headers = Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined;

export function headerText(headers: Headers, name: string): string | undefined {
  const v = headers?.[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
}

export function retryHeaders(envelope: RetryEnvelope, eventId: string): Record<string, string> {
  return {
    [RETRY_HEADERS.attempt]: String(envelope.attempt),
    [RETRY_HEADERS.dueAt]: String(envelope.dueAt),
    [RETRY_HEADERS.history]: JSON.stringify(envelope.history),
    [RETRY_HEADERS.eventId]: eventId,
  };
}

/** The due time alone: read before anything else, to decide whether to wait. */
export const dueAtOf = (headers: Headers): number => Number(headerText(headers, RETRY_HEADERS.dueAt) ?? 0);

export function parseRetryEnvelope(headers: Headers): RetryEnvelope {
  return {
    attempt: Number(headerText(headers, RETRY_HEADERS.attempt) ?? 2),
    dueAt: dueAtOf(headers),
    history: JSON.parse(headerText(headers, RETRY_HEADERS.history) ?? '[]') as AttemptSummary[],
  };
}
