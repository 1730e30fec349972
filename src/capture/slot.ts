import { createClient } from '../db/pool.js';

export interface SlotState {
  readonly name: string;
  readonly active: boolean;
  /** WAL the slot still holds: bytes between the server's current LSN and what the slot confirmed. */
  readonly lagBytes: number;
}

export async function replicationSlot(erpDatabaseUrl: string, slotName: string): Promise<SlotState | undefined> {
  const client = createClient({ connectionString: erpDatabaseUrl, connectionTimeoutMillis: 5000, query_timeout: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ slot_name: string; active: boolean; lag: string | null }>(
      `SELECT slot_name, active,
              pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint::text AS lag
         FROM pg_replication_slots WHERE slot_name = $1`,
      [slotName],
    );
    const row = rows[0];
    return row ? { name: row.slot_name, active: row.active, lagBytes: Number(row.lag ?? 0) } : undefined;
  } finally {
    await client.end();
  }
}
