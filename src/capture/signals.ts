// Debezium signals, sent through the signal table in the ERP database
// (signal.data.collection): an incremental snapshot re-reads tables into the
// change log, chunk by chunk, while streaming goes on, so rows that existed
// before a table was captured reach the state store.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createClient } from '../db/pool.js';

/** Asks the connector for an incremental snapshot of `tables` ("public.people"), optionally of only the rows a filter keeps. */
export async function requestIncrementalSnapshot(erpDatabaseUrl: string, signalTable: string, tables: readonly string[], filter?: { table: string; where: string }): Promise<string> {
  const id = randomUUID();
  const data: Record<string, unknown> = { 'data-collections': tables, type: 'incremental' };
  if (filter) data['additional-conditions'] = [{ 'data-collection': filter.table, filter: filter.where }];
  const client = createClient({ connectionString: erpDatabaseUrl, connectionTimeoutMillis: 5000, statement_timeout: 10_000 });
  await client.connect();
  try {
    const [schema, table] = signalTable.split('.') as [string, string];
    await client.query(`INSERT INTO ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)} (id, type, data) VALUES ($1, 'execute-snapshot', $2)`, [id, JSON.stringify(data)]);
  } finally {
    await client.end();
  }
  return id;
}
