// The attempt log against the real reativa database: rows written with COPY
// come back as recorded, whatever a partner's reply contains.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AttemptLog, type AttemptRecord } from '../../src/db/attempt-log.js';
import { createLogger } from '../../src/log.js';
import { settings, unique } from '../support/harness.js';

const pool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 2 });

afterAll(async () => {
  await pool.end();
});

describe('attempt log', () => {
  it('keeps awkward replies and errors intact (tabs, newlines, backslashes, accents), drops NUL, and writes nulls as nulls', async () => {
    const log = new AttemptLog(pool, createLogger('warn'), 30, 60_000);
    const deliveryId = unique('attempt-log');
    const attemptedAt = new Date('2026-11-29T12:34:56.789Z');
    const base: AttemptRecord = {
      deliveryId, eventId: 'evt\tweird', webhookId: 7, contractId: null, attempt: 1, attemptedAt,
      outcome: 'retryable', status: null, latencyMs: 12.6, error: 'UND_ERR_SOCKET: other side closed', responseExcerpt: null,
    };
    log.record(base);
    log.record({ ...base, attempt: 2, contractId: 42, status: 503, error: 'HTTP 503', responseExcerpt: 'linha 1\nlinha 2\r\n\tC:\\temp \\N não\u0000fim' });
    await log.close();

    const { rows } = await pool.query(
      `SELECT event_id, webhook_id::int, contract_id::int, attempt, attempted_at, outcome, status, latency_ms, error, response_excerpt
         FROM reativa.delivery_attempts WHERE delivery_id = $1 ORDER BY attempt`,
      [deliveryId],
    );
    expect(rows).toEqual([
      { event_id: 'evt\tweird', webhook_id: 7, contract_id: null, attempt: 1, attempted_at: attemptedAt, outcome: 'retryable', status: null, latency_ms: 13, error: 'UND_ERR_SOCKET: other side closed', response_excerpt: null },
      { event_id: 'evt\tweird', webhook_id: 7, contract_id: 42, attempt: 2, attempted_at: attemptedAt, outcome: 'retryable', status: 503, latency_ms: 13, error: 'HTTP 503', response_excerpt: 'linha 1\nlinha 2\r\n\tC:\\temp \\N nãofim' },
    ]);
  });

  it('flushAll writes every attempt recorded so far, full batches and the last partial one, while the log stays open', async () => {
    // No timer flush within the test (a minute), batches of 3: 7 attempts are two full batches and one of 1.
    const log = new AttemptLog(pool, createLogger('warn'), 30, 60_000, 3);
    const deliveryId = unique('attempt-log-flush');
    for (let attempt = 1; attempt <= 7; attempt++) {
      log.record({ deliveryId, eventId: 'evt', webhookId: 7, contractId: 1, attempt, attemptedAt: new Date(), outcome: 'success', status: 200, latencyMs: 1, error: null, responseExcerpt: null });
    }
    await log.flushAll();
    const count = async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM reativa.delivery_attempts WHERE delivery_id = $1', [deliveryId])).rows[0]!.n;
    expect(await count()).toBe(7);
    await log.close();
    expect(await count()).toBe(7);
  });
});
