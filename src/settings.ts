// Environment → validated settings, parsed once at startup and passed down.
// Nothing deeper in the code reads process.env: one place names every variable.
import path from 'node:path';
import { z } from 'zod';
import { EMBEDDED_STACK_ALLOW_HOSTS, parseAllowHosts } from './delivery/address-policy.js';
import { SettingsError } from './errors/settings-error.js';
import { parseDurationList } from './util/durations.js';

const url = (protocols: readonly string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${protocols.map((p) => p.replace(':', '')).join(' or ')}` },
  );

const port = z.coerce.number().int().min(1).max(65535);

/**
 * The embedded stack's PostgreSQL roles, one per kind of access (src/stack/erp-roles.ts
 * creates them from the URLs below): Debezium's (replication, SELECT on the
 * captured tables), Reativa's runtime role (owner of its own database; on the
 * ERP, the secret columns by id only) and the CLI's configuration writer.
 */
export const DEFAULT_ROLES = { debezium: 'reativa_debezium', runtime: 'reativa_app', configWriter: 'reativa_config' } as const;

const brokerList = z
  .string()
  .transform((value) => value.split(',').map((b) => b.trim()).filter(Boolean))
  .refine((list) => list.length > 0 && list.every((b) => /^[^:\s]+:\d{1,5}$/.test(b)), {
    message: 'must be a comma-separated list of host:port',
  });

/** Every variable Reativa reads, with its embedded-stack default. Documented in README.md. */
const environmentSchema = z.object({
  REATIVA_STACK: z.enum(['native', 'docker', 'external']).default('native'),
  REATIVA_STACK_DIR: z.string().min(1).default('.stack'),
  REATIVA_KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
  REATIVA_KAFKA_CLIENT_ID: z.string().min(1).default('reativa'),
  REATIVA_KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
  REATIVA_SCHEMA_REGISTRY_URL: url(['http:', 'https:']).default('http://127.0.0.1:8081/apis/ccompat/v7'),
  REATIVA_CONNECT_URL: url(['http:', 'https:']).default('http://127.0.0.1:8083'),
  // Least privilege (docs/architecture.md, "Database roles"): each URL names its own role.
  // Reativa's runtime role: on the ERP it may read the secret columns by id, nothing else.
  REATIVA_ERP_DATABASE_URL: url(['postgres:', 'postgresql:']).default(`postgres://${DEFAULT_ROLES.runtime}@127.0.0.1:54320/erp`),
  // The CLI's writer role: the ERP's webhook and integrator tables only.
  REATIVA_ERP_ADMIN_DATABASE_URL: url(['postgres:', 'postgresql:']).default(`postgres://${DEFAULT_ROLES.configWriter}@127.0.0.1:54320/erp`),
  // The embedded stack's superuser: creates the databases, roles and publication, applies the reference ERP schema; tests write ERP rows with it.
  REATIVA_ERP_SUPERUSER_DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://reativa@127.0.0.1:54320/erp'),
  // The ERP database as Kafka Connect reaches it, as Debezium's role (differs from the above inside Docker).
  // Never with a password: Connect reads that from REATIVA_CONNECT_SECRETS_FILE.
  REATIVA_CONNECT_ERP_DATABASE_URL: url(['postgres:', 'postgresql:'])
    .refine((value) => new URL(value).password === '', { message: 'must not hold a password: put it in the file REATIVA_CONNECT_SECRETS_FILE names (password=…)' })
    .optional(),
  // Where Kafka Connect reads Debezium's database password (a properties file, key `password`), through its FileConfigProvider.
  REATIVA_CONNECT_SECRETS_FILE: z.string().min(1).optional(),
  REATIVA_DATABASE_URL: url(['postgres:', 'postgresql:']).default(`postgres://${DEFAULT_ROLES.runtime}@127.0.0.1:54320/reativa`),
  REATIVA_SMTP_URL: url(['smtp:', 'smtps:']).default('smtp://127.0.0.1:1025'),
  REATIVA_MAIL_WEB_URL: url(['http:', 'https:']).default('http://127.0.0.1:1080'),
  REATIVA_CONNECTOR_NAME: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('erp-postgres'),
  REATIVA_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('erp'),
  REATIVA_KAFKA_CONTROLLER_PORT: port.default(9093),
  REATIVA_PG_BIN: z.string().optional(),
  REATIVA_REGISTRY_JAVA_HOME: z.string().optional(),
  REATIVA_DELIVERY_RETRY_SCHEDULE: z.string().default('10s,1m,5m,30m,2h,6h'),
  REATIVA_DELIVERY_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  REATIVA_DELIVERY_RESPONSE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  // Exceptions to the SSRF guard; unset: the embedded stack's loopback, nothing with an external stack.
  REATIVA_DELIVERY_ALLOW_HOSTS: z.string().transform((text, ctx) => {
    const { entries, problems } = parseAllowHosts(text);
    for (const problem of problems) ctx.addIssue({ code: 'custom', message: `${problem} (comma-separated host names, IPs and CIDRs, or "none")` });
    return entries;
  }).optional(),
  REATIVA_DELIVERY_HTTPS_ONLY: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false'),
  REATIVA_DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK: z.coerce.number().int().min(1).max(1000).default(8),
  REATIVA_DELIVERY_MAX_PENDING_PER_PARTITION: z.coerce.number().int().min(1).max(100_000).default(2000),
  REATIVA_DELIVERY_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(10_000).default(5),
  REATIVA_ALERT_DIGEST_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  REATIVA_ALERT_FROM: z.string().min(3).default('Reativa <reativa@localhost>'),
  REATIVA_ATTEMPT_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  REATIVA_NAMESPACE: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only').default('reativa'),
  REATIVA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(3),
  REATIVA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
  REATIVA_STATE_DIR: z.string().min(1).optional(),
  REATIVA_CHANGE_LOG_HISTORY: z.string().default('7d'),
  REATIVA_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type StackMode = 'native' | 'docker' | 'external';

export interface Settings {
  readonly stackMode: StackMode;
  readonly stackDir: string;
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly controllerPort: number;
    /** How long a consumer may be silent before the group rebalances it away (a killed process). */
    readonly sessionTimeoutMs: number;
  };
  readonly schemaRegistryUrl: string;
  readonly connectUrl: string;
  readonly connectorName: string;
  readonly topicPrefix: string;
  /** The ERP as Reativa's processes see it: its runtime role, which reads only the secret columns, by id. */
  readonly erpDatabaseUrl: string;
  /** The ERP as the CLI's configuration writes see it (`reativa webhooks add`). */
  readonly erpAdminDatabaseUrl: string;
  /** The ERP as the embedded stack's superuser: schema, roles, publication, signals; test fixtures. */
  readonly erpSuperuserDatabaseUrl: string;
  /** The ERP as Kafka Connect reaches it, as Debezium's role; no password (see connectSecretsFile). */
  readonly connectErpDatabaseUrl: string;
  /** The properties file (key `password`) Kafka Connect reads Debezium's password from, as a path on Connect's machine. */
  readonly connectSecretsFile: string;
  readonly reativaDatabaseUrl: string;
  readonly smtpUrl: string;
  readonly mailWebUrl: string;
  readonly pgBin: string | undefined;
  readonly registryJavaHome: string | undefined;
  readonly logLevel: string;
  /** Reativa's topics and consumer groups: their namespace, and how new topics are made. */
  readonly topics: { readonly namespace: string; readonly partitions: number; readonly replicationFactor: number };
  /** The mapper's state store: where it lives, and how far back its history (and replays) reach. */
  readonly state: { readonly dir: string; readonly historyMs: number };
  readonly delivery: {
    readonly retryScheduleMs: readonly number[];
    readonly connectTimeoutMs: number;
    readonly responseTimeoutMs: number;
    /** Longest one attempt may take, all told (connect, headers, body); at least responseTimeoutMs. */
    readonly attemptDeadlineMs: number;
    /** Host names, IPs and CIDRs the SSRF guard lets delivery connect to although they are local, private or reserved. */
    readonly allowHosts: readonly string[];
    readonly httpsOnly: boolean;
    readonly maxInFlightPerWebhook: number;
    readonly maxPendingPerPartition: number;
    readonly breakerThreshold: number;
    readonly attemptLogRetentionDays: number;
  };
  readonly alerts: { readonly digestWindowMs: number; readonly from: string };
}

/** Parses the environment; throws SettingsError naming every bad variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const durations = (variable: string, text: string): number[] => {
    try {
      return parseDurationList(text);
    } catch (error) {
      throw new SettingsError([`${variable}: ${(error as Error).message}`]);
    }
  };
  const retryScheduleMs = durations('REATIVA_DELIVERY_RETRY_SCHEDULE', e.REATIVA_DELIVERY_RETRY_SCHEDULE);
  if (e.REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS < e.REATIVA_DELIVERY_RESPONSE_TIMEOUT_MS) {
    throw new SettingsError([`REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS: must be at least REATIVA_DELIVERY_RESPONSE_TIMEOUT_MS (${e.REATIVA_DELIVERY_RESPONSE_TIMEOUT_MS}), is ${e.REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS}`]);
  }
  const [historyMs] = durations('REATIVA_CHANGE_LOG_HISTORY', e.REATIVA_CHANGE_LOG_HISTORY);
  const stackDir = path.resolve(cwd, e.REATIVA_STACK_DIR);
  return {
    stackMode: e.REATIVA_STACK,
    stackDir,
    kafka: {
      brokers: e.REATIVA_KAFKA_BROKERS,
      clientId: e.REATIVA_KAFKA_CLIENT_ID,
      controllerPort: e.REATIVA_KAFKA_CONTROLLER_PORT,
      sessionTimeoutMs: e.REATIVA_KAFKA_SESSION_TIMEOUT_MS,
    },
    schemaRegistryUrl: e.REATIVA_SCHEMA_REGISTRY_URL.replace(/\/+$/, ''),
    connectUrl: e.REATIVA_CONNECT_URL.replace(/\/+$/, ''),
    connectorName: e.REATIVA_CONNECTOR_NAME,
    topicPrefix: e.REATIVA_TOPIC_PREFIX,
    erpDatabaseUrl: e.REATIVA_ERP_DATABASE_URL,
    erpAdminDatabaseUrl: e.REATIVA_ERP_ADMIN_DATABASE_URL,
    erpSuperuserDatabaseUrl: e.REATIVA_ERP_SUPERUSER_DATABASE_URL,
    connectErpDatabaseUrl: e.REATIVA_CONNECT_ERP_DATABASE_URL ?? asRole(e.REATIVA_ERP_DATABASE_URL, DEFAULT_ROLES.debezium),
    connectSecretsFile: e.REATIVA_CONNECT_SECRETS_FILE ?? path.join(stackDir, 'secrets', 'connect-erp.properties'),
    reativaDatabaseUrl: e.REATIVA_DATABASE_URL,
    smtpUrl: e.REATIVA_SMTP_URL,
    mailWebUrl: e.REATIVA_MAIL_WEB_URL.replace(/\/+$/, ''),
    pgBin: e.REATIVA_PG_BIN,
    registryJavaHome: e.REATIVA_REGISTRY_JAVA_HOME,
    logLevel: e.REATIVA_LOG_LEVEL,
    topics: { namespace: e.REATIVA_NAMESPACE, partitions: e.REATIVA_TOPIC_PARTITIONS, replicationFactor: e.REATIVA_TOPIC_REPLICATION_FACTOR },
    state: { dir: e.REATIVA_STATE_DIR ? path.resolve(cwd, e.REATIVA_STATE_DIR) : path.join(stackDir, 'state'), historyMs: historyMs! },
    delivery: {
      retryScheduleMs,
      connectTimeoutMs: e.REATIVA_DELIVERY_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: e.REATIVA_DELIVERY_RESPONSE_TIMEOUT_MS,
      attemptDeadlineMs: e.REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS,
      // The embedded stack's partners (the simulator, a demo's) listen on this machine.
      allowHosts: e.REATIVA_DELIVERY_ALLOW_HOSTS ?? (e.REATIVA_STACK === 'external' ? [] : EMBEDDED_STACK_ALLOW_HOSTS),
      httpsOnly: e.REATIVA_DELIVERY_HTTPS_ONLY === 'true',
      maxInFlightPerWebhook: e.REATIVA_DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK,
      maxPendingPerPartition: e.REATIVA_DELIVERY_MAX_PENDING_PER_PARTITION,
      breakerThreshold: e.REATIVA_DELIVERY_BREAKER_THRESHOLD,
      attemptLogRetentionDays: e.REATIVA_ATTEMPT_LOG_RETENTION_DAYS,
    },
    alerts: { digestWindowMs: e.REATIVA_ALERT_DIGEST_WINDOW_MS, from: e.REATIVA_ALERT_FROM },
  };
}

/** The same database as `databaseUrl`, as `role`, without a password. */
function asRole(databaseUrl: string, role: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = '';
  return url.toString();
}

/** host and port of a URL or host:port string, for port checks and process flags. */
export function endpointOf(value: string, defaultPort: number): { host: string; port: number } {
  if (/^[^:/]+:\d+$/.test(value)) {
    const [host, p] = value.split(':') as [string, string];
    return { host, port: Number(p) };
  }
  const u = new URL(value);
  return { host: u.hostname, port: u.port ? Number(u.port) : defaultPort };
}
