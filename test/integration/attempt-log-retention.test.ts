// The attempt log's retention sweep against the real reativa database: rows
// past the retention go, in batches (no statement long enough to hit the
// pool's timeout however many there are), and recent ones stay. The rows are
// this test's own: a webhook id no one else uses, and ids below every real
// row's, where attempts written long ago sit (ids follow write order).
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AttemptLog } from '../../src/db/attempt-log.js';
import { createLogger } from '../../src/log.js';
import { settings } from '../support/harness.js';

const pool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 2 });
const webhookId = 9_000_000_000 + randomInt(1_000_000_000);
// Negative ids, a range of this run's own.
const firstId = -1_000_000_000_000 - randomInt(1_000_000) * 10_000;

afterAll(async () => {
  // Leave nothing behind: rows below every id would be the first every other sweep reads.
  await pool.query('DELETE FROM reativa.delivery_attempts WHERE id < 0 AND webhook_id = $1', [webhookId]);
  await pool.end();
});

/** `count` attempts of this test's webhook, `daysAgo` old, ids from `fromId` up. */
async function insertAttempts(fromId: number, count: number, daysAgo: number): Promise<void> {
  await pool.query(
    `INSERT INTO reativa.delivery_attempts (id, delivery_id, event_id, webhook_id, contract_id, attempt, attempted_at, outcome, status, latency_ms, error)
     SELECT $1::bigint + g, 'retention-' || ($1::bigint + g), 'evt', $2, g, 1, now() - make_interval(days => $3) + g * interval '1 ms', 'retryable', 503, 10, 'HTTP 503'
       FROM generate_series(0, $4 - 1) g`,
    [fromId, webhookId, daysAgo, count],
  );
}

const countOlderThan = async (days: number, older: boolean) =>
  (
    await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM reativa.delivery_attempts WHERE id < 0 AND webhook_id = $1 AND (attempted_at < now() - make_interval(days => $2)) = $3`,
      [webhookId, days, older],
    )
  ).rows[0]!.n;

describe('attempt log retention', () => {
  it('deletes what is past the retention in batches, at start, and keeps recent rows', async () => {
    // A retention (10 years) that only this test's old rows are past, so the count is exactly ours.
    const retentionDays = 3650;
    await insertAttempts(firstId, 1050, 4000);
    await insertAttempts(firstId + 1050, 30, 1);

    // Batches of 100 here (5000 by default). The sweep at start is the one awaited.
    const log = new AttemptLog(pool, createLogger('warn'), retentionDays, 60_000, 2000, 100);
    const result = await log.sweep();
    await log.close();

    expect(result.deleted).toBe(1050);
    expect(result.batches).toBeGreaterThanOrEqual(11);
    expect(await countOlderThan(retentionDays, true)).toBe(0);
    expect(await countOlderThan(retentionDays, false)).toBe(30);

    // Nothing left to delete: one batch that finds nothing expired.
    const again = new AttemptLog(pool, createLogger('warn'), retentionDays, 60_000, 2000, 100);
    expect(await again.sweep()).toEqual({ deleted: 0, batches: 1 });
    await again.close();
    expect(await countOlderThan(retentionDays, false)).toBe(30);
  });
});
