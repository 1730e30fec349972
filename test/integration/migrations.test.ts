// Two processes that start at once both apply migrations: the advisory lock
// makes them take turns, so every file is applied exactly once and neither
// fails. A tracking schema and a migrations directory of this test's own.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations, migrationLockKey } from '../../src/db/migrations.js';
import { settings } from '../support/harness.js';

const schema = `test_migrations_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reativa-migrations-'));
const pool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 2 });

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('applied by two processes at once: each file exactly once, neither call fails', async () => {
    const s = pg.escapeIdentifier(schema);
    // Each file notes that it ran; the first sleeps, so without the lock the
    // second call would read the same empty schema_migrations and apply everything again.
    fs.writeFileSync(path.join(dir, '001_ran.sql'), `CREATE TABLE ${s}.ran (file text NOT NULL); SELECT pg_sleep(0.5); INSERT INTO ${s}.ran VALUES ('001');`);
    fs.writeFileSync(path.join(dir, '002_items.sql'), `CREATE TABLE ${s}.items (id int PRIMARY KEY); INSERT INTO ${s}.ran VALUES ('002');`);
    fs.writeFileSync(path.join(dir, '003_item.sql'), `INSERT INTO ${s}.items VALUES (1); INSERT INTO ${s}.ran VALUES ('003');`);
    fs.writeFileSync(path.join(dir, 'README.md'), 'not a migration');

    const results = await Promise.all([applyMigrations(settings.reativaDatabaseUrl, dir, schema), applyMigrations(settings.reativaDatabaseUrl, dir, schema)]);

    const files = ['001_ran.sql', '002_items.sql', '003_item.sql'];
    // One call applied them all; the other waited, then found them applied.
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 3]);
    for (const r of results) expect([...r.applied, ...r.alreadyApplied]).toEqual(files);
    const ran = await pool.query<{ file: string; n: number }>(`SELECT file, count(*)::int AS n FROM ${s}.ran GROUP BY file ORDER BY file`);
    expect(ran.rows).toEqual([{ file: '001', n: 1 }, { file: '002', n: 1 }, { file: '003', n: 1 }]);
    const tracked = await pool.query<{ file: string }>(`SELECT file FROM ${s}.schema_migrations ORDER BY file`);
    expect(tracked.rows.map((r) => r.file)).toEqual(files);

    // The lock was released: another session takes it at once, and a later run finds nothing to do.
    const { rows } = await pool.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [migrationLockKey(schema)]);
    expect(rows[0]!.locked).toBe(true);
    await pool.query('SELECT pg_advisory_unlock_all()');
    expect(await applyMigrations(settings.reativaDatabaseUrl, dir, schema)).toEqual({ applied: [], alreadyApplied: files });
  });
});
