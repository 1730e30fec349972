// The Debezium connector: its configuration lives in connectors/erp-postgres.json;
// the endpoints of the database it reads come from settings at registration time,
// so the same file serves the native stack, Docker and a user's own cluster.
// Its database password never is in the configuration: Kafka Connect reads it
// from a file through its FileConfigProvider (`${file:<path>:password}`), so
// neither Connect's REST API nor its config topic ever holds it.
import fs from 'node:fs';
import { z } from 'zod';
import { UnrecoverableError } from '../errors/unrecoverable-error.js';
import { projectPath } from '../paths.js';
import { requestIncrementalSnapshot } from './signals.js';
import { changeLogTopic } from './tables.js';
import type { Settings } from '../settings.js';
import { httpCall, type HttpAnswer } from '../util/http.js';
import { waitFor } from '../util/wait.js';

const connectorFile = z.object({ name: z.string(), config: z.record(z.string(), z.string()) });

export type ConnectorConfig = Record<string, string>;

export function loadConnectorConfig(settings: Settings, file = projectPath('connectors', 'erp-postgres.json')): ConnectorConfig {
  const parsed = connectorFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return withDatabase(parsed.data.config, settings.connectErpDatabaseUrl, settings.topicPrefix, settings.connectSecretsFile);
}

/** The connector's database.password: a reference Kafka Connect resolves from the file, at the worker, when it starts the task. */
export const passwordReference = (secretsFile: string) => `\${file:${secretsFile}:password}`;

/**
 * Overrides database.* and topic.prefix from the ERP database URL as Connect
 * sees it (a password in the URL is ignored: it comes from `secretsFile`, a
 * properties file with a `password` key on Connect's machine).
 */
export function withDatabase(config: ConnectorConfig, databaseUrl: string, topicPrefix: string, secretsFile: string): ConnectorConfig {
  const url = new URL(databaseUrl);
  const fileprefix = config['topic.prefix'] ?? 'erp';
  const out: ConnectorConfig = {
    ...config,
    'database.hostname': url.hostname,
    'database.port': url.port || '5432',
    'database.user': decodeURIComponent(url.username) || 'postgres',
    'database.password': passwordReference(secretsFile),
    'database.dbname': url.pathname.replace(/^\//, '') || 'postgres',
    'topic.prefix': topicPrefix,
  };
  // The change log's routing names topics by prefix: follow a renamed prefix.
  if (fileprefix !== topicPrefix) {
    const escaped = (prefix: string) => `${prefix.replaceAll('.', '\\.')}\\.`;
    for (const [key, value] of Object.entries(out)) {
      if (/^topic\.creation\.[^.]+\.include$/.test(key) || key === 'transforms.changelog.topic.regex') out[key] = value.replaceAll(escaped(fileprefix), escaped(topicPrefix));
    }
    out['transforms.changelog.topic.replacement'] = changeLogTopic(topicPrefix);
  }
  return out;
}

export interface ConnectorState {
  readonly connector: string;
  readonly tasks: readonly { id: number; state: string; trace?: string }[];
}

const statusSchema = z.object({
  connector: z.object({ state: z.string() }),
  tasks: z.array(z.object({ id: z.number(), state: z.string(), trace: z.string().optional() })),
});

export class ConnectClient {
  constructor(private readonly baseUrl: string, private readonly timeoutMs = 10_000) {}

  private async request(method: string, path: string, body?: unknown): Promise<HttpAnswer> {
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    return httpCall(`${this.baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }, this.timeoutMs);
  }

  async plugins(): Promise<string[]> {
    const res = await this.request('GET', '/connector-plugins');
    if (!res.ok) throw new Error(`GET /connector-plugins: HTTP ${res.status}`);
    return (res.json() as { class: string }[]).map((p) => p.class);
  }

  /** Creates or updates the connector (PUT is idempotent). */
  async put(name: string, config: ConnectorConfig): Promise<void> {
    const res = await this.request('PUT', `/connectors/${encodeURIComponent(name)}/config`, config);
    if (!res.ok) throw new Error(`registering connector ${name}: HTTP ${res.status} ${res.text}`);
  }

  /** The connector's configuration as Connect holds it, or undefined when it is not registered. */
  async config(name: string): Promise<ConnectorConfig | undefined> {
    const res = await this.request('GET', `/connectors/${encodeURIComponent(name)}/config`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET connector config: HTTP ${res.status}`);
    return connectorFile.shape.config.parse(res.json());
  }

  async status(name: string): Promise<ConnectorState | undefined> {
    const res = await this.request('GET', `/connectors/${encodeURIComponent(name)}/status`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET connector status: HTTP ${res.status}`);
    const parsed = statusSchema.parse(res.json());
    return { connector: parsed.connector.state, tasks: parsed.tasks };
  }

  async delete(name: string): Promise<void> {
    const res = await this.request('DELETE', `/connectors/${encodeURIComponent(name)}`);
    if (!res.ok && res.status !== 404) throw new Error(`deleting connector ${name}: HTTP ${res.status}`);
  }
}

/**
 * The tables a connector already registered with `previous` must snapshot again
 * once it runs with `next`: tables added to the capture (their existing rows are
 * not in the change log yet), or every table when the previous configuration
 * wrote per-table topics rather than the one change log. Incremental snapshots
 * (a Debezium signal) fill the log while streaming goes on.
 */
export function tablesToSnapshot(previous: ConnectorConfig | undefined, next: ConnectorConfig): string[] {
  if (!previous) return [];
  const list = (config: ConnectorConfig) => (config['snapshot.include.collection.list'] ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (previous['transforms.changelog.type'] !== next['transforms.changelog.type']) return list(next);
  const before = new Set((previous['table.include.list'] ?? '').split(',').map((t) => t.trim()));
  return list(next).filter((t) => !before.has(t));
}

/** Registers the connector and waits until it and its task run; a FAILED task fails fast with its trace. */
export async function registerConnector(settings: Settings, timeoutMs = 90_000): Promise<ConnectorState> {
  const client = new ConnectClient(settings.connectUrl);
  const config = loadConnectorConfig(settings);
  const previous = await client.config(settings.connectorName);
  await client.put(settings.connectorName, config);
  const state = await waitForRunning(client, settings.connectorName, timeoutMs);
  const tables = tablesToSnapshot(previous, config);
  // A signal row is an ERP write: the stack's superuser makes it (Reativa's runtime role writes nothing in the ERP).
  if (tables.length > 0) await requestIncrementalSnapshot(settings.erpSuperuserDatabaseUrl, config['signal.data.collection'] ?? 'reativa_cdc.debezium_signal', tables);
  return state;
}

async function waitForRunning(client: ConnectClient, name: string, timeoutMs: number): Promise<ConnectorState> {
  return waitFor(
    `connector ${name} to run`,
    async () => {
      const state = await client.status(name);
      const failed = state?.tasks.find((t) => t.state === 'FAILED');
      if (failed) throw new UnrecoverableError(`connector task FAILED: ${failed.trace?.split('\n')[0] ?? ''}`);
      return state && state.connector === 'RUNNING' && state.tasks.length > 0 && state.tasks.every((t) => t.state === 'RUNNING')
        ? state
        : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
}
