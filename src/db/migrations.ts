// Versioned SQL, applied in file-name order, each file once, in a transaction.
// Used for the reference ERP schema (schemas/erp) and Reativa's own (schemas/reativa).
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export interface MigrationResult {
  readonly applied: string[];
  readonly alreadyApplied: string[];
}

/** `trackingSchema` holds the schema_migrations table that remembers applied files. */
export async function applyMigrations(databaseUrl: string, dir: string, trackingSchema: string): Promise<MigrationResult> {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^\d+_.+\.sql$/.test(f)).sort() : [];
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  const table = `${pg.escapeIdentifier(trackingSchema)}.schema_migrations`;
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  try {
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
  } finally {
    await client.end();
  }
  return result;
}
