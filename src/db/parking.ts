// Parked keys, in Reativa's own database: a (webhook, contract) key is parked
// while its head delivery is being retried, and later deliveries for the key
// queue behind it. The rules are those of ParkingPort (src/delivery/ports.ts):
// every change of head is a compare-and-set on (head_delivery_id,
// head_attempt) under the key's row lock, so processes that race on one key
// (a rebalance, a duplicate retry record) serialise here, across processes.
import type pg from 'pg';
import type { ParkedHead, ParkingPort, QueueOutcome, StuckKey } from '../delivery/ports.js';
import { Semaphore } from '../util/semaphore.js';

interface HeadRow {
  head_delivery_id: string;
  head_attempt: number;
  head_state: 'waiting' | 'sending';
  head_record: Buffer | null;
}

const HEAD_COLUMNS = 'head_delivery_id, head_attempt, head_state, head_record';

/** Keys parked before migration 004 kept no record: an empty one stands in (they are never revived). */
const toHead = (row: HeadRow): ParkedHead => ({ deliveryId: row.head_delivery_id, attempt: row.head_attempt, state: row.head_state, record: row.head_record ?? Buffer.alloc(0) });

/** Epoch ms as a timestamptz parameter; null stays null. */
const at = (ms: number | null) => (ms === null ? null : new Date(ms));

export class ParkingStore implements ParkingPort {
  /**
   * At most this many of the store's queries and transactions at once, one
   * connection short of the pool's size (the attempt log and the rest of the
   * process share the pool). A backlog of due retries asks for thousands at
   * once; waiting in the pool's own queue counts against its connection
   * timeout (5 s), so a busy moment read as the database being down (the
   * stage waiting out an outage that was not one). Waiting here has no
   * timeout; a database that is really down still fails the connection.
   */
  private readonly gate: Semaphore;

  /** `namespace`: REATIVA_NAMESPACE; every key read or written is that namespace's. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly namespace: string,
  ) {
    this.gate = new Semaphore(Math.max(1, (pool.options.max ?? 10) - 1));
  }

  private async gated<T>(work: () => Promise<T>): Promise<T> {
    if (!this.gate.tryAcquire()) await this.gate.acquire();
    try {
      return await work();
    } finally {
      this.gate.release();
    }
  }

  private query<R extends pg.QueryResultRow>(text: string, values: readonly unknown[]): Promise<pg.QueryResult<R>> {
    return this.gated(() => this.pool.query<R>(text, [...values]));
  }

  async all(): Promise<Set<string>> {
    const { rows } = await this.query<{ key: string }>('SELECT key FROM reativa.parked_keys WHERE namespace = $1', [this.namespace]);
    return new Set(rows.map((r) => r.key));
  }

  /** Runs `work` in a transaction holding the key's row lock; `head` is null when the key is not parked. */
  private locked<T>(key: string, work: (client: pg.PoolClient, head: ParkedHead | null) => Promise<T>): Promise<T> {
    return this.gated(() => this.inTransaction(key, work));
  }

  private async inTransaction<T>(key: string, work: (client: pg.PoolClient, head: ParkedHead | null) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM reativa.parked_keys WHERE namespace = $1 AND key = $2 FOR UPDATE`, [this.namespace, key]);
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

  private queue(client: pg.PoolClient, key: string, deliveryId: string, record: Buffer): Promise<unknown> {
    return client.query(
      'INSERT INTO reativa.parked_deliveries (namespace, key, delivery_id, record) VALUES ($1, $2, $3, $4) ON CONFLICT (namespace, key, delivery_id) DO NOTHING',
      [this.namespace, key, deliveryId, record],
    );
  }

  async park(key: string, deliveryId: string, attempt: number, record: Buffer, dueAt: number): Promise<'head' | 'queued'> {
    const insert = `INSERT INTO reativa.parked_keys (namespace, key, head_delivery_id, head_attempt, head_state, head_record, head_due_at, moved_at)
       VALUES ($1, $2, $3, $4, 'waiting', $5, $6, now())`;
    // The common case, the key free, in one statement; the rest under the lock.
    const inserted = await this.query(`${insert} ON CONFLICT (namespace, key) DO NOTHING`, [this.namespace, key, deliveryId, attempt, record, at(dueAt)]);
    if (inserted.rowCount === 1) return 'head';
    return this.locked(key, async (client, head) => {
      if (head === null) {
        // Unparked between the two statements.
        await client.query(insert, [this.namespace, key, deliveryId, attempt, record, at(dueAt)]);
        return 'head';
      }
      if (head.deliveryId === deliveryId) {
        // This delivery is the head already (its record read again after a crash): it waits for this attempt now.
        await client.query(
          `UPDATE reativa.parked_keys SET head_attempt = $3, head_state = 'waiting', head_record = $4, head_due_at = $5, moved_at = now() WHERE namespace = $1 AND key = $2`,
          [this.namespace, key, attempt, record, at(dueAt)],
        );
        return 'head';
      }
      await this.queue(client, key, deliveryId, record);
      return 'queued';
    });
  }

  queueBehind(key: string, deliveryId: string, record: Buffer): Promise<QueueOutcome> {
    return this.locked(key, async (client, head): Promise<QueueOutcome> => {
      if (head === null) return 'free';
      if (head.deliveryId === deliveryId) return { head };
      await this.queue(client, key, deliveryId, record);
      return 'queued';
    });
  }

  async head(key: string): Promise<ParkedHead | null> {
    const { rows } = await this.query<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM reativa.parked_keys WHERE namespace = $1 AND key = $2`, [this.namespace, key]);
    return rows[0] ? toHead(rows[0]) : null;
  }

  async advance(key: string, deliveryId: string, from: number, to: number, dueAt: number): Promise<boolean> {
    const { rowCount } = await this.query(
      `UPDATE reativa.parked_keys SET head_attempt = $5, head_state = 'waiting', head_due_at = $6, moved_at = now()
       WHERE namespace = $1 AND key = $2 AND head_delivery_id = $3 AND head_attempt = $4`,
      [this.namespace, key, deliveryId, from, to, at(dueAt)],
    );
    return rowCount === 1;
  }

  settle(key: string, deliveryId: string, attempt: number): Promise<ParkedHead | null> {
    return this.locked(key, async (client, head) => {
      if (head === null || head.deliveryId !== deliveryId || head.attempt !== attempt) return null;
      const { rows } = await client.query<{ seq: string; delivery_id: string; record: Buffer }>(
        `DELETE FROM reativa.parked_deliveries WHERE seq = (SELECT seq FROM reativa.parked_deliveries WHERE namespace = $1 AND key = $2 ORDER BY seq LIMIT 1)
         RETURNING seq, delivery_id, record`,
        [this.namespace, key],
      );
      const next = rows[0];
      if (!next) {
        await client.query('DELETE FROM reativa.parked_keys WHERE namespace = $1 AND key = $2', [this.namespace, key]);
        return null;
      }
      await client.query(
        `UPDATE reativa.parked_keys SET head_delivery_id = $3, head_attempt = 1, head_state = 'sending', head_record = $4, head_due_at = NULL, moved_at = now()
         WHERE namespace = $1 AND key = $2`,
        [this.namespace, key, next.delivery_id, next.record],
      );
      return { deliveryId: next.delivery_id, attempt: 1, state: 'sending', record: next.record };
    });
  }

  async stuck(overdueMs: number, sendingMs: number, limit: number): Promise<StuckKey[]> {
    const { rows } = await this.query<HeadRow & { key: string }>(
      `SELECT key, ${HEAD_COLUMNS} FROM reativa.parked_keys
       -- A head parked before due times were stored (migration 006) has none: it counts as due three days after it moved.
       WHERE namespace = $1 AND head_record IS NOT NULL
         AND ((head_state = 'waiting' AND COALESCE(head_due_at, moved_at + interval '3 days') < now() - make_interval(secs => $2::float8 / 1000))
           OR (head_state = 'sending' AND moved_at < now() - make_interval(secs => $3::float8 / 1000)))
       ORDER BY moved_at LIMIT $4`,
      [this.namespace, overdueMs, sendingMs, limit],
    );
    return rows.map((row) => ({ key: row.key, head: toHead(row) }));
  }

  async revive(key: string, deliveryId: string, from: number, attempt: number, dueAt: number): Promise<boolean> {
    return this.advance(key, deliveryId, from, attempt, dueAt);
  }
}

/** Parked keys of one webhook, and the deliveries queued behind them, in one namespace. */
export interface ParkedCount {
  readonly webhookId: string;
  readonly keys: number;
  readonly queued: number;
}

/**
 * How many keys are parked per webhook (a key is `<webhook id>|contract:<id>`),
 * and how many deliveries wait behind them: the metrics' view of parking.
 * Both are namespace-wide, whichever process asks.
 */
export async function parkedCounts(pool: pg.Pool, namespace: string): Promise<ParkedCount[]> {
  const [keys, queued] = await Promise.all([
    pool.query<{ webhook: string; n: string }>("SELECT split_part(key, '|', 1) AS webhook, count(*) AS n FROM reativa.parked_keys WHERE namespace = $1 GROUP BY 1", [namespace]),
    pool.query<{ webhook: string; n: string }>("SELECT split_part(key, '|', 1) AS webhook, count(*) AS n FROM reativa.parked_deliveries WHERE namespace = $1 GROUP BY 1", [namespace]),
  ]);
  const counts = new Map<string, { keys: number; queued: number }>();
  for (const r of keys.rows) counts.set(r.webhook, { keys: Number(r.n), queued: 0 });
  for (const r of queued.rows) counts.set(r.webhook, { keys: counts.get(r.webhook)?.keys ?? 0, queued: Number(r.n) });
  return [...counts].map(([webhookId, c]) => ({ webhookId, ...c }));
}
