// Parked keys, in Reativa's own database: a (webhook, contract) key is parked
// while its head delivery waits in a retry topic, and later deliveries for the
// key queue behind it. The main consumer queues, the retry consumer drains;
// a row lock on parked_keys serialises the two, across processes.
import type pg from 'pg';
import type { ParkingPort, QueuedDelivery } from '../delivery/ports.js';

export class ParkingStore implements ParkingPort {
  constructor(private readonly pool: pg.Pool) {}

  /** Every parked key, read when partitions are assigned. */
  async all(): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ key: string }>('SELECT key FROM reativa.parked_keys');
    return new Set(rows.map((r) => r.key));
  }

  /** Parks a key behind its head delivery (now in a retry topic). */
  async park(key: string, headDeliveryId: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO reativa.parked_keys (key, head_delivery_id) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET head_delivery_id = EXCLUDED.head_delivery_id',
      [key, headDeliveryId],
    );
  }

  private async locked<T>(key: string, work: (client: pg.PoolClient, parked: boolean) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rowCount } = await client.query('SELECT 1 FROM reativa.parked_keys WHERE key = $1 FOR UPDATE', [key]);
      const result = await work(client, (rowCount ?? 0) > 0);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Queues a delivery behind a parked key; false if the key is no longer parked (send it now). */
  queueBehind(key: string, deliveryId: string, record: Buffer): Promise<boolean> {
    return this.locked(key, async (client, parked) => {
      if (!parked) return false;
      await client.query('INSERT INTO reativa.parked_deliveries (key, delivery_id, record) VALUES ($1, $2, $3)', [key, deliveryId, record]);
      return true;
    });
  }

  /**
   * The next queued delivery of a key, left in place until `done` removes it
   * (a crash in between sends it again: at-least-once). With nothing queued,
   * the key is unparked in the same transaction and null is returned.
   */
  next(key: string): Promise<QueuedDelivery | null> {
    return this.locked(key, async (client, parked) => {
      if (!parked) return null;
      const { rows } = await client.query<{ seq: string; delivery_id: string; record: Buffer }>(
        'SELECT seq::text, delivery_id, record FROM reativa.parked_deliveries WHERE key = $1 ORDER BY seq LIMIT 1',
        [key],
      );
      const row = rows[0];
      if (!row) {
        await client.query('DELETE FROM reativa.parked_keys WHERE key = $1', [key]);
        return null;
      }
      return { seq: row.seq, deliveryId: row.delivery_id, record: row.record };
    });
  }

  /** Removes a handled queued delivery; when it went to a retry topic, it becomes the key's head. */
  async done(key: string, seq: string, newHeadDeliveryId?: string): Promise<void> {
    await this.locked(key, async (client) => {
      await client.query('DELETE FROM reativa.parked_deliveries WHERE seq = $1', [seq]);
      if (newHeadDeliveryId) await client.query('UPDATE reativa.parked_keys SET head_delivery_id = $2 WHERE key = $1', [key, newHeadDeliveryId]);
    });
  }
}
