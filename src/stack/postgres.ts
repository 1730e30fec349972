// Reativa's own PostgreSQL cluster for the embedded stack: initdb from the
// installed binaries, its own port, wal_level=logical. The machine's own
// server (5432) is never touched.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { endpointOf } from '../settings.js';
import { isRoot, POSTGRES_OS_USER, type PostgresBinaries } from './prerequisites.js';
import { createClient } from '../db/pool.js';

const execFileAsync = promisify(execFile);

export interface PostgresCluster {
  readonly bin: PostgresBinaries;
  readonly dataDir: string;
  readonly logFile: string;
  readonly host: string;
  readonly port: number;
  readonly superuser: string;
  readonly owner: { uid: number; gid: number };
}

/** Settings appended to postgresql.conf at initdb time. */
export function postgresConf(port: number, host: string): string {
  return [
    '# Reativa embedded stack',
    `port = ${port}`,
    `listen_addresses = '${host}'`,
    "unix_socket_directories = ''",
    'wal_level = logical',
    'max_wal_senders = 10',
    'max_replication_slots = 10',
    'shared_buffers = 128MB',
    "log_min_messages = warning",
    '',
  ].join('\n');
}

export function describeCluster(
  stackDir: string,
  bin: PostgresBinaries,
  databaseUrl: string,
  owner: { uid: number; gid: number },
): PostgresCluster {
  const { host, port } = endpointOf(databaseUrl, 5432);
  const superuser = decodeURIComponent(new URL(databaseUrl).username) || 'reativa';
  const home = postgresHome(stackDir);
  return { bin, dataDir: path.join(home, 'data'), logFile: path.join(home, 'postgres.log'), host, port, superuser, owner };
}

/**
 * Where the cluster lives. As root, PostgreSQL runs as the postgres user, which
 * must be able to reach its data folder; a checkout under a private home
 * folder (mode 700) is not reachable, so the data goes to /var/tmp instead.
 */
function postgresHome(stackDir: string): string {
  const inStack = path.join(stackDir, 'postgres');
  if (!isRoot() || othersCanTraverse(stackDir)) return inStack;
  const id = createHash('sha1').update(stackDir).digest('hex').slice(0, 12);
  return path.join('/var/tmp', `reativa-${id}`, 'postgres');
}

function othersCanTraverse(dir: string): boolean {
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    if (fs.existsSync(current) && (fs.statSync(current).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

async function runPgTool(cluster: PostgresCluster, tool: string, args: string[], timeoutMs = 120_000) {
  const binary = path.join(cluster.bin.dir, tool);
  const [command, argv] = isRoot() ? ['runuser', ['-u', POSTGRES_OS_USER, '--', binary, ...args]] : [binary, args];
  return execFileAsync(command, argv, { timeout: timeoutMs, encoding: 'utf8' });
}

export function isInitialised(cluster: PostgresCluster): boolean {
  return fs.existsSync(path.join(cluster.dataDir, 'PG_VERSION'));
}

export async function initCluster(cluster: PostgresCluster): Promise<void> {
  const home = path.dirname(cluster.dataDir);
  fs.mkdirSync(cluster.dataDir, { recursive: true, mode: 0o700 });
  if (isRoot()) {
    fs.chownSync(home, cluster.owner.uid, cluster.owner.gid);
    fs.chownSync(cluster.dataDir, cluster.owner.uid, cluster.owner.gid);
  }
  await runPgTool(cluster, 'initdb', [
    '-D', cluster.dataDir,
    '-U', cluster.superuser,
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
  ]);
  fs.appendFileSync(path.join(cluster.dataDir, 'postgresql.conf'), postgresConf(cluster.port, cluster.host));
}

export async function isRunning(cluster: PostgresCluster): Promise<boolean> {
  if (!isInitialised(cluster)) return false;
  try {
    await runPgTool(cluster, 'pg_ctl', ['status', '-D', cluster.dataDir], 10_000);
    return true;
  } catch {
    return false;
  }
}

export async function startCluster(cluster: PostgresCluster): Promise<void> {
  if (!fs.existsSync(cluster.logFile)) {
    fs.writeFileSync(cluster.logFile, '');
    if (isRoot()) fs.chownSync(cluster.logFile, cluster.owner.uid, cluster.owner.gid);
  }
  try {
    await runPgTool(cluster, 'pg_ctl', ['start', '-D', cluster.dataDir, '-l', cluster.logFile, '-w', '-t', '60']);
  } catch (error) {
    const log = fs.readFileSync(cluster.logFile, 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(`PostgreSQL did not start (${(error as Error).message.trim()})\n${log}`, { cause: error });
  }
}

export async function stopCluster(cluster: PostgresCluster): Promise<boolean> {
  if (!(await isRunning(cluster))) return false;
  await runPgTool(cluster, 'pg_ctl', ['stop', '-D', cluster.dataDir, '-m', 'fast', '-w', '-t', '60']);
  return true;
}

/** Creates each database that does not exist yet, connecting as the superuser. */
export async function ensureDatabases(adminUrl: string, names: readonly string[]): Promise<string[]> {
  const url = new URL(adminUrl);
  url.pathname = '/postgres';
  const client = createClient({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  const created: string[] = [];
  try {
    for (const name of names) {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        created.push(name);
      }
    }
  } finally {
    await client.end();
  }
  return created;
}
