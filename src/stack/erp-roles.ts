// Least privilege on the embedded stack's PostgreSQL: one role per kind of
// access, created and granted by `stack up` as the superuser, idempotently
// (every run brings roles, grants and the publication back to exactly this).
//
//   Debezium (REATIVA_CONNECT_ERP_DATABASE_URL, reativa_debezium): LOGIN
//     REPLICATION, owns nothing; SELECT on the captured tables (snapshots),
//     UPDATE on the heartbeat row, INSERT on the signal table (incremental
//     snapshot watermarks). The publication is made here, by the superuser,
//     so this role needs no CREATE and no table ownership
//     (publication.autocreate.mode=disabled in connectors/erp-postgres.json).
//     Its password is generated once into a properties file that Kafka
//     Connect reads through its FileConfigProvider: it is never in the
//     connector's JSON, nor in Connect's REST answers or config topic.
//   Reativa's runtime role (REATIVA_ERP_DATABASE_URL, REATIVA_DATABASE_URL,
//     reativa_app): owner of Reativa's own database (it runs its migrations
//     there); on the ERP, SELECT on the secret columns and their rows' ids
//     only (capture/tables.ts SECRET_COLUMNS), to read them by id.
//   The CLI's configuration writer (REATIVA_ERP_ADMIN_DATABASE_URL,
//     reativa_config): INSERT, UPDATE, DELETE on the ERP's webhook and
//     integrator tables and on Reativa's preset bindings
//     (reativa_cdc.integrator_presets), SELECT on their columns but the secret
//     values (it writes tokens; it never reads one back).
//
// A role is whatever user the URL names; a URL naming the superuser is left
// alone (nothing is granted to or taken from it).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadConnectorConfig } from '../capture/connector.js';
import { CDC_SCHEMA, schemaOf, SECRET_COLUMNS, SECRET_TABLES } from '../capture/tables.js';
import { createClient } from '../db/pool.js';
import { StackError } from '../errors/stack-error.js';
import type { Settings } from '../settings.js';

/** The ERP tables `reativa webhooks add` writes (Integradores, Interações Webhooks). */
export const CONFIG_WRITER_TABLES = ['integrators', 'integrator_parameters', 'webhooks', 'webhook_headers', 'webhook_parameters', 'webhook_triggers', 'integrator_presets'] as const;

/** A writer table, schema-qualified: the ERP's in public, Reativa's own binding table in reativa_cdc (capture/tables.ts schemaOf). */
const writerTable = (table: string) => (schemaOf(table) === 'public' ? `public.${id(table)}` : `${id(schemaOf(table))}.${id(table)}`);
const writerSchemas = () => [...new Set(CONFIG_WRITER_TABLES.map(schemaOf))].filter((s) => s !== 'public');

/** Secret columns the writer may read back: URLs, which `webhooks list` shows with their query masked. */
const WRITER_READABLE_SECRETS = new Set(['url']);

export interface RolePlan {
  readonly superuser: string;
  readonly erpDatabase: string;
  readonly reativaDatabase: string;
  /** Undefined where the URL names the superuser. */
  readonly debezium: string | undefined;
  readonly erpReader: string | undefined;
  readonly erpWriter: string | undefined;
  readonly reativaOwner: string | undefined;
}

const userOf = (url: string) => decodeURIComponent(new URL(url).username);
const databaseOf = (url: string) => new URL(url).pathname.replace(/^\//, '');

export function rolePlan(settings: Settings): RolePlan {
  const superuser = userOf(settings.erpSuperuserDatabaseUrl);
  const role = (url: string) => {
    const user = userOf(url);
    return user && user !== superuser ? user : undefined;
  };
  const plan: RolePlan = {
    superuser,
    erpDatabase: databaseOf(settings.erpSuperuserDatabaseUrl),
    reativaDatabase: databaseOf(settings.reativaDatabaseUrl),
    debezium: role(settings.connectErpDatabaseUrl),
    erpReader: role(settings.erpDatabaseUrl),
    erpWriter: role(settings.erpAdminDatabaseUrl),
    reativaOwner: role(settings.reativaDatabaseUrl),
  };
  // Grants on the ERP are per role and reset each run: one role in two places would get the union of both, silently.
  const onErp = [plan.debezium, plan.erpReader, plan.erpWriter].filter((r): r is string => r !== undefined);
  const twice = onErp.find((r, i) => onErp.indexOf(r) !== i);
  if (twice) {
    throw new StackError(
      `role "${twice}" is named by more than one of REATIVA_CONNECT_ERP_DATABASE_URL, REATIVA_ERP_DATABASE_URL and REATIVA_ERP_ADMIN_DATABASE_URL: each needs a role of its own`,
    );
  }
  return plan;
}

const id = (name: string) => pg.escapeIdentifier(name);
const qualified = (table: string) => table.split('.').map(id).join('.');

/** Creates the role when missing and sets its attributes: login, nothing more (Debezium: replication too). */
export function roleStatements(role: string, options: { replication: boolean; password: string | null }): string[] {
  return [
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${pg.escapeLiteral(role)}) THEN CREATE ROLE ${id(role)} LOGIN; END IF; END $$`,
    `ALTER ROLE ${id(role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT ${options.replication ? 'REPLICATION' : 'NOREPLICATION'} PASSWORD ${options.password === null ? 'NULL' : pg.escapeLiteral(options.password)}`,
  ];
}

/** Takes back whatever an earlier run granted the role in the ERP database, so the grants that follow are all it has. */
function resetStatements(role: string, database: string): string[] {
  return [
    `REVOKE ALL ON DATABASE ${id(database)} FROM ${id(role)}`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${id(role)}`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${id(role)}`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA ${id(CDC_SCHEMA)} FROM ${id(role)}`,
    `REVOKE ALL ON SCHEMA ${id(CDC_SCHEMA)} FROM ${id(role)}`,
    `GRANT CONNECT ON DATABASE ${id(database)} TO ${id(role)}`,
    `GRANT USAGE ON SCHEMA public TO ${id(role)}`,
  ];
}

/** Debezium: SELECT on every captured table (snapshots), the heartbeat's UPDATE, the signal table's INSERT (watermarks). */
export function debeziumGrants(role: string, database: string, capturedTables: readonly string[], heartbeatTable: string, signalTable: string): string[] {
  return [
    ...resetStatements(role, database),
    `GRANT USAGE ON SCHEMA ${id(CDC_SCHEMA)} TO ${id(role)}`,
    `GRANT SELECT ON ${capturedTables.map(qualified).join(', ')} TO ${id(role)}`,
    `GRANT UPDATE ON ${qualified(heartbeatTable)} TO ${id(role)}`,
    `GRANT INSERT ON ${qualified(signalTable)} TO ${id(role)}`,
  ];
}

/** Reativa's runtime role on the ERP: the secret columns of each row, by id, and nothing else. */
export function readerGrants(role: string, database: string): string[] {
  return [
    ...resetStatements(role, database),
    ...SECRET_TABLES.map((table) => `GRANT SELECT (${['id', ...SECRET_COLUMNS[table]].map(id).join(', ')}) ON public.${id(table)} TO ${id(role)}`),
  ];
}

/**
 * The CLI's writer: INSERT, UPDATE, DELETE on the webhook and integrator
 * tables and their id sequences; SELECT on their columns but the secret values
 * (`readable`: each table's columns, as the database has them).
 */
export function writerGrants(role: string, database: string, readable: ReadonlyMap<string, readonly string[]>, sequences: readonly string[]): string[] {
  const hidden = (table: string, column: string) =>
    ((SECRET_COLUMNS as Record<string, readonly string[]>)[table] ?? []).includes(column) && !WRITER_READABLE_SECRETS.has(column);
  return [
    ...resetStatements(role, database),
    ...writerSchemas().map((schema) => `GRANT USAGE ON SCHEMA ${id(schema)} TO ${id(role)}`),
    ...CONFIG_WRITER_TABLES.flatMap((table) => {
      const columns = (readable.get(table) ?? []).filter((c) => !hidden(table, c));
      const write = `GRANT INSERT, UPDATE, DELETE ON ${writerTable(table)} TO ${id(role)}`;
      return columns.length > 0 ? [write, `GRANT SELECT (${columns.map(id).join(', ')}) ON ${writerTable(table)} TO ${id(role)}`] : [write];
    }),
    ...(sequences.length > 0 ? [`GRANT USAGE ON SEQUENCE ${sequences.map(qualified).join(', ')} TO ${id(role)}`] : []),
  ];
}

/**
 * Reativa's runtime role owns Reativa's database and everything in its schema,
 * so it runs its own migrations; what the superuser creates there later (an
 * older process still connecting as it) stays usable through default privileges.
 */
export function ownerStatements(owner: string, superuser: string, database: string, schema = 'reativa'): string[] {
  return [
    `ALTER DATABASE ${id(database)} OWNER TO ${id(owner)}`,
    `DO $$
DECLARE r record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ${pg.escapeLiteral(schema)}) THEN RETURN; END IF;
  EXECUTE format('ALTER SCHEMA %I OWNER TO %I', ${pg.escapeLiteral(schema)}, ${pg.escapeLiteral(owner)});
  -- Tables first: a sequence a column owns moves with its table, and cannot move alone.
  FOR r IN
    SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ${pg.escapeLiteral(schema)} AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
       AND pg_get_userbyid(c.relowner) <> ${pg.escapeLiteral(owner)}
       AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
     ORDER BY c.relkind = 'S'
  LOOP
    EXECUTE format('ALTER %s %I.%I OWNER TO %I',
      CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
      ${pg.escapeLiteral(schema)}, r.relname, ${pg.escapeLiteral(owner)});
  END LOOP;
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT ALL ON TABLES TO %I', ${pg.escapeLiteral(superuser)}, ${pg.escapeLiteral(schema)}, ${pg.escapeLiteral(owner)});
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT ALL ON SEQUENCES TO %I', ${pg.escapeLiteral(superuser)}, ${pg.escapeLiteral(schema)}, ${pg.escapeLiteral(owner)});
END $$`,
  ];
}

/**
 * Debezium's password: generated once (random, local to this stack) into a
 * properties file only its owner reads, which Kafka Connect's FileConfigProvider
 * reads too. The embedded cluster trusts 127.0.0.1, so it is not checked
 * there; a cluster with password authentication checks it.
 */
export function ensureConnectSecret(file: string): string {
  if (fs.existsSync(file)) {
    const found = /^password=(.*)$/m.exec(fs.readFileSync(file, 'utf8'));
    if (found?.[1]) return found[1];
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `# Debezium's password on the embedded stack's PostgreSQL, read by Kafka Connect (FileConfigProvider). Local to this stack.\npassword=${password}\n`, { mode: 0o600 });
  return password;
}

async function withClient<T>(url: string, database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const target = new URL(url);
  target.pathname = `/${database}`;
  const client = createClient({ connectionString: target.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function inTransaction(client: pg.Client, statements: readonly string[]): Promise<void> {
  await client.query('BEGIN');
  try {
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Step one, before any migration: the roles exist, and the runtime role owns
 * Reativa's database (its migrations run as that role). `secretsFile` is where
 * Debezium's password is kept on this machine.
 */
export async function ensureRoles(settings: Settings, secretsFile: string): Promise<RolePlan> {
  const plan = rolePlan(settings);
  const statements: string[] = [];
  if (plan.debezium) statements.push(...roleStatements(plan.debezium, { replication: true, password: ensureConnectSecret(secretsFile) }));
  for (const role of new Set([plan.erpReader, plan.erpWriter, plan.reativaOwner])) {
    if (role) statements.push(...roleStatements(role, { replication: false, password: null }));
  }
  await withClient(settings.erpSuperuserDatabaseUrl, 'postgres', async (client) => {
    // Roles are cluster-wide: two stacks starting at once would race on CREATE ROLE.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['reativa roles']);
    await inTransaction(client, statements);
  });
  if (plan.reativaOwner) {
    const owner = plan.reativaOwner;
    await withClient(settings.erpSuperuserDatabaseUrl, plan.reativaDatabase, (client) => inTransaction(client, ownerStatements(owner, plan.superuser, plan.reativaDatabase)));
  }
  return plan;
}

/**
 * Step two, once the reference ERP schema is in place: the publication
 * Debezium reads (made by the superuser, with exactly the connector's tables)
 * and each role's grants on the ERP, in one transaction so no process ever
 * sees a role between its old grants and its new ones.
 */
export async function ensureErpGrants(settings: Settings, plan: RolePlan = rolePlan(settings)): Promise<void> {
  const connector = loadConnectorConfig(settings);
  const captured = (connector['table.include.list'] ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  const publication = connector['publication.name'] ?? 'reativa_erp';
  const signal = connector['signal.data.collection'] ?? `${CDC_SCHEMA}.debezium_signal`;
  const heartbeat = `${CDC_SCHEMA}.heartbeat`;
  await withClient(settings.erpSuperuserDatabaseUrl, plan.erpDatabase, async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['reativa erp grants']);
    const statements = await publicationStatements(client, publication, captured);
    if (plan.debezium) statements.push(...debeziumGrants(plan.debezium, plan.erpDatabase, captured, heartbeat, signal));
    if (plan.erpReader) statements.push(...readerGrants(plan.erpReader, plan.erpDatabase));
    if (plan.erpWriter) {
      const { rows } = await client.query<{ table_name: string; column_name: string }>(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema || '.' || table_name = ANY($1) ORDER BY ordinal_position",
        [CONFIG_WRITER_TABLES.map((t) => `${schemaOf(t)}.${t}`)],
      );
      const readable = new Map<string, string[]>();
      for (const r of rows) readable.set(r.table_name, [...(readable.get(r.table_name) ?? []), r.column_name]);
      const sequences = await client.query<{ seq: string | null }>("SELECT pg_get_serial_sequence(t, 'id') AS seq FROM unnest($1::text[]) AS t", [CONFIG_WRITER_TABLES.map((t) => `${schemaOf(t)}.${t}`)]);
      statements.push(...writerGrants(plan.erpWriter, plan.erpDatabase, readable, sequences.rows.map((r) => r.seq).filter((s): s is string => s !== null)));
    }
    await inTransaction(client, statements);
  });
}

/** CREATE PUBLICATION, or ALTER … SET TABLE when its tables differ from the connector's; nothing when they agree. */
async function publicationStatements(client: pg.Client, publication: string, tables: readonly string[]): Promise<string[]> {
  const list = tables.map(qualified).join(', ');
  const exists = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication]);
  if (exists.rowCount === 0) return [`CREATE PUBLICATION ${id(publication)} FOR TABLE ${list}`];
  const { rows } = await client.query<{ name: string }>("SELECT schemaname || '.' || tablename AS name FROM pg_publication_tables WHERE pubname = $1", [publication]);
  const current = rows.map((r) => r.name).sort();
  return current.join(',') === [...tables].sort().join(',') ? [] : [`ALTER PUBLICATION ${id(publication)} SET TABLE ${list}`];
}
