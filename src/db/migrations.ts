// Versioned SQL, applied in file-name order, each file once, in a transaction.
// Used for the reference ERP schema (schemas/erp) and Reativa's own (schemas/reativa).
// Every process runs this at start; an advisory lock per tracking schema makes
// two that start at once take turns, so the second sees what the first applied
// instead of applying it again (or failing on CREATE SCHEMA IF NOT EXISTS, which races).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createClient } from './pool.js';

export interface MigrationResult {
  readonly applied: string[];
  readonly alreadyApplied: string[];
}

/**
 * The advisory lock key for a tracking schema: a constant every process
 * derives alike (the first 8 bytes of a SHA-256 of the name, as a signed bigint),
 * so different tracking schemas (the ERP's, Reativa's, a test's) never wait on each other.
 */
export function migrationLockKey(trackingSchema: string): string {
  return createHash('sha256').update(`reativa migrations ${trackingSchema}`).digest().readBigInt64BE(0).toString();
}

/** `trackingSchema` holds the schema_migrations table that remembers applied files. */
export async function applyMigrations(databaseUrl: string, dir: string, trackingSchema: string): Promise<MigrationResult> {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^\d+_.+\.sql$/.test(f)).sort() : [];
  const client = createClient({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  const table = `${pg.escapeIdentifier(trackingSchema)}.schema_migrations`;
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  const lockKey = migrationLockKey(trackingSchema);
  try {
    // Session-level: held across the files' transactions; ended with the connection at the latest.
    await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(trackingSchema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (file text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ file: string }>(`SELECT file FROM ${table}`)).rows.map((r) => r.file));
    for (const file of files) {
      if (done.has(file)) {
        result.alreadyApplied.push(file);
        continue;
      }
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query(`INSERT INTO ${table} (file) VALUES ($1)`, [file]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${path.join(dir, file)} failed: ${(error as Error).message}`, { cause: error });
      }
      result.applied.push(file);
    }
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]);
  } finally {
    await client.end();
  }
  return result;
}
