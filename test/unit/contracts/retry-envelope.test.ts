import { describe, expect, it } from 'vitest';
import { dueAtOf, headerText, parseRetryEnvelope, retryHeaders } from '../../../src/contracts/retry-envelope.js';

describe('retry envelope', () => {
  it('round-trips through Kafka headers', () => {
    const envelope = { attempt: 3, dueAt: 1_700_000_010_000, history: [{ at: '2026-11-29T12:00:00.000Z', attempt: 1, status: 503, error: 'HTTP 503', latencyMs: 12 }] };
    const headers = Object.fromEntries(Object.entries(retryHeaders(envelope, 'evt')).map(([k, v]) => [k, Buffer.from(v)]));
    expect(parseRetryEnvelope(headers)).toEqual(envelope);
    expect(dueAtOf(headers)).toBe(envelope.dueAt);
    expect(headerText(headers, 'reativa-event-id')).toBe('evt');
  });

  it('reads a first header of several, and defaults a missing envelope to the first retry, due now', () => {
    expect(headerText({ a: [Buffer.from('1'), Buffer.from('2')] }, 'a')).toBe('1');
    expect(parseRetryEnvelope({})).toEqual({ attempt: 2, dueAt: 0, history: [] });
  });
});
