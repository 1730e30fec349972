// Reading the secret columns of configuration rows from the ERP, by id
// (capture/tables.ts SECRET_COLUMNS: an integrator's token and URL, header and
// parameter values, a webhook's URL). They are left out of the change stream so
// they never travel in Kafka; the live configuration (live.ts) asks for a row's
// secrets here whenever the change stream says that row changed.
//
// The connection is REATIVA_ERP_DATABASE_URL, Reativa's runtime role, which on
// the ERP may read these columns (and their rows' ids) and nothing else
// (src/stack/erp-roles.ts grants it so on the embedded stack).
import pg from 'pg';
import { SECRET_COLUMNS, type SecretTable } from '../capture/tables.js';
import { createPool } from '../db/pool.js';
import type { Logger } from '../log.js';
import type { SecretValues } from './view.js';

/** Where secret values come from: the ERP, or a fake in tests. */
export interface SecretSource {
  /**
   * The secret columns of the rows of `table` with these ids, as the ERP holds
   * them now; an id missing from the answer is a row the ERP no longer has.
   * Throws when the ERP cannot be asked (the caller classifies and retries).
   */
  read(table: SecretTable, ids: readonly number[]): Promise<Map<number, SecretValues>>;
  close(): Promise<void>;
}

export class ErpSecretReader implements SecretSource {
  private readonly pool: pg.Pool;

  constructor(erpDatabaseUrl: string, logger: Logger) {
    // Two connections: reads come in bursts (a process starting, an operator saving a webhook), one table at a time.
    this.pool = createPool(erpDatabaseUrl, logger, { name: 'erp-secrets', max: 2, statementTimeoutMs: 10_000 });
  }

  async read(table: SecretTable, ids: readonly number[]): Promise<Map<number, SecretValues>> {
    const out = new Map<number, SecretValues>();
    if (ids.length === 0) return out;
    const columns = SECRET_COLUMNS[table];
    // Identifiers come from the constant SECRET_COLUMNS, never from input; ids are a parameter.
    const { rows } = await this.pool.query<Record<string, string | null> & { id: string }>(
      `SELECT id, ${columns.map((c) => pg.escapeIdentifier(c)).join(', ')} FROM public.${pg.escapeIdentifier(table)} WHERE id = ANY($1::bigint[])`,
      [ids.map(String)],
    );
    for (const row of rows) {
      const values: Record<string, string | null> = {};
      for (const c of columns) values[c] = row[c] ?? null;
      out.set(Number(row.id), values);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Secrets given up front, keyed `<table>:<id>` (view.ts secretKey): for a
 * benchmark or a test whose configuration rows exist only in its own
 * configuration topic, not in the ERP.
 */
export class FixedSecrets implements SecretSource {
  constructor(private readonly values: ReadonlyMap<string, SecretValues>) {}

  read(table: SecretTable, ids: readonly number[]): Promise<Map<number, SecretValues>> {
    const out = new Map<number, SecretValues>();
    for (const id of ids) {
      const found = this.values.get(`${table}:${id}`);
      if (found) out.set(id, found);
    }
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
