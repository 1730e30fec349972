// Parked keys, in Reativa's own database: a (webhook, contract) key is parked
// while its head delivery is being retried, and later deliveries for the key
// queue behind it. The rules are those of ParkingPort (src/delivery/ports.ts):
// every change of head is a compare-and-set on (head_delivery_id,
// head_attempt) under the key's row lock, so processes that race on one key
// (a rebalance, a duplicate retry record) serialise here, across processes.
import type pg from 'pg';
import type { ParkedHead, ParkingPort, QueueOutcome, StuckKey } from '../delivery/ports.js';

interface HeadRow {
  head_delivery_id: string;
  head_attempt: number;
  head_state: 'waiting' | 'sending';
  head_record: Buffer | null;
}

const HEAD_COLUMNS = 'head_delivery_id, head_attempt, head_state, head_record';

/** Keys parked before migration 004 kept no record: an empty one stands in (they are never revived). */
const toHead = (row: HeadRow): ParkedHead => ({ deliveryId: row.head_delivery_id, attempt: row.head_attempt, state: row.head_state, record: row.head_record ?? Buffer.alloc(0) });

export class ParkingStore implements ParkingPort {
  constructor(private readonly pool: pg.Pool) {}

  async all(): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ key: string }>('SELECT key FROM reativa.parked_keys');
    return new Set(rows.map((r) => r.key));
  }

  /** Runs `work` in a transaction holding the key's row lock; `head` is null when the key is not parked. */
  private async locked<T>(key: string, work: (client: pg.PoolClient, head: ParkedHead | null) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM reativa.parked_keys WHERE key = $1 FOR UPDATE`, [key]);
      const result = await work(client, rows[0] ? toHead(rows[0]) : null);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A connection that failed mid-transaction is not handed out again.
      client.release(true);
      throw error;
    }
  }

  private static queue(client: pg.PoolClient, key: string, deliveryId: string, record: Buffer): Promise<unknown> {
    return client.query('INSERT INTO reativa.parked_deliveries (key, delivery_id, record) VALUES ($1, $2, $3) ON CONFLICT (key, delivery_id) DO NOTHING', [key, deliveryId, record]);
  }

  async park(key: string, deliveryId: string, attempt: number, record: Buffer): Promise<'head' | 'queued'> {
    // The common case, the key free, in one statement; the rest under the lock.
    const inserted = await this.pool.query(
      `INSERT INTO reativa.parked_keys (key, head_delivery_id, head_attempt, head_state, head_record, moved_at)
       VALUES ($1, $2, $3, 'waiting', $4, now()) ON CONFLICT (key) DO NOTHING`,
      [key, deliveryId, attempt, record],
    );
    if (inserted.rowCount === 1) return 'head';
    return this.locked(key, async (client, head) => {
      if (head === null) {
        // Unparked between the two statements.
        await client.query(`INSERT INTO reativa.parked_keys (key, head_delivery_id, head_attempt, head_state, head_record) VALUES ($1, $2, $3, 'waiting', $4)`, [key, deliveryId, attempt, record]);
        return 'head';
      }
      if (head.deliveryId === deliveryId) {
        // This delivery is the head already (its record read again after a crash): it waits for this attempt now.
        await client.query(`UPDATE reativa.parked_keys SET head_attempt = $2, head_state = 'waiting', head_record = $3, moved_at = now() WHERE key = $1`, [key, attempt, record]);
        return 'head';
      }
      await ParkingStore.queue(client, key, deliveryId, record);
      return 'queued';
    });
  }

  queueBehind(key: string, deliveryId: string, record: Buffer): Promise<QueueOutcome> {
    return this.locked(key, async (client, head): Promise<QueueOutcome> => {
      if (head === null) return 'free';
      if (head.deliveryId === deliveryId) return { head };
      await ParkingStore.queue(client, key, deliveryId, record);
      return 'queued';
    });
  }

  async head(key: string): Promise<ParkedHead | null> {
    const { rows } = await this.pool.query<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM reativa.parked_keys WHERE key = $1`, [key]);
    return rows[0] ? toHead(rows[0]) : null;
  }

  async advance(key: string, deliveryId: string, from: number, to: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE reativa.parked_keys SET head_attempt = $4, head_state = 'waiting', moved_at = now()
       WHERE key = $1 AND head_delivery_id = $2 AND head_attempt = $3`,
      [key, deliveryId, from, to],
    );
    return rowCount === 1;
  }

  settle(key: string, deliveryId: string, attempt: number): Promise<ParkedHead | null> {
    return this.locked(key, async (client, head) => {
      if (head === null || head.deliveryId !== deliveryId || head.attempt !== attempt) return null;
      const { rows } = await client.query<{ seq: string; delivery_id: string; record: Buffer }>(
        'DELETE FROM reativa.parked_deliveries WHERE seq = (SELECT seq FROM reativa.parked_deliveries WHERE key = $1 ORDER BY seq LIMIT 1) RETURNING seq, delivery_id, record',
        [key],
      );
      const next = rows[0];
      if (!next) {
        await client.query('DELETE FROM reativa.parked_keys WHERE key = $1', [key]);
        return null;
      }
      await client.query(`UPDATE reativa.parked_keys SET head_delivery_id = $2, head_attempt = 1, head_state = 'sending', head_record = $3, moved_at = now() WHERE key = $1`, [key, next.delivery_id, next.record]);
      return { deliveryId: next.delivery_id, attempt: 1, state: 'sending', record: next.record };
    });
  }

  async stuck(waitingMs: number, sendingMs: number, limit: number): Promise<StuckKey[]> {
    const { rows } = await this.pool.query<HeadRow & { key: string }>(
      `SELECT key, ${HEAD_COLUMNS} FROM reativa.parked_keys
       WHERE head_record IS NOT NULL
         AND ((head_state = 'waiting' AND moved_at < now() - make_interval(secs => $1::float8 / 1000))
           OR (head_state = 'sending' AND moved_at < now() - make_interval(secs => $2::float8 / 1000)))
       ORDER BY moved_at LIMIT $3`,
      [waitingMs, sendingMs, limit],
    );
    return rows.map((row) => ({ key: row.key, head: toHead(row) }));
  }

  async revive(key: string, deliveryId: string, from: number, attempt: number): Promise<boolean> {
    return this.advance(key, deliveryId, from, attempt);
  }
}
