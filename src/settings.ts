// Environment → validated settings, parsed once at startup and passed down.
// Nothing deeper in the code reads process.env: one place names every variable.
import fs from 'node:fs';
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
  // Secure connections (README, "Secure connections"); cross-variable rules and files are checked in secureConnections().
  REATIVA_KAFKA_SSL: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false'),
  REATIVA_KAFKA_SSL_CA: z.string().min(1).optional(),
  REATIVA_KAFKA_SSL_CERT: z.string().min(1).optional(),
  REATIVA_KAFKA_SSL_KEY: z.string().min(1).optional(),
  REATIVA_KAFKA_SSL_KEY_PASSWORD: z.string().min(1).optional(),
  REATIVA_KAFKA_SASL_MECHANISM: z.preprocess(
    (value) => (typeof value === 'string' ? value.toLowerCase() : value),
    z.enum(['plain', 'scram-sha-256', 'scram-sha-512'], { message: 'must be plain, scram-sha-256 or scram-sha-512' }),
  ).optional(),
  REATIVA_KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  REATIVA_KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  // The native broker's SASL/SCRAM listener (a second listener beside the plaintext one).
  REATIVA_KAFKA_SASL_PORT: port.default(9094),
  REATIVA_SCHEMA_REGISTRY_USERNAME: z.string().min(1).optional(),
  REATIVA_SCHEMA_REGISTRY_PASSWORD: z.string().min(1).optional(),
  REATIVA_SCHEMA_REGISTRY_CA: z.string().min(1).optional(),
  REATIVA_SMTP_TLS_CA: z.string().min(1).optional(),
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
  REATIVA_DELIVERY_RETRY_SCHEDULE: z.string().default('10s,1m,5m,15m,30m,1h,2h'),
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
  REATIVA_DELIVERY_MAX_PENDING: z.coerce.number().int().min(1).max(100_000).default(1000),
  REATIVA_DELIVERY_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(10_000).default(5),
  REATIVA_ALERT_DIGEST_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  REATIVA_ALERT_FROM: z.string().min(3).default('Reativa <reativa@localhost>'),
  REATIVA_ATTEMPT_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  REATIVA_NAMESPACE: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only').default('reativa'),
  REATIVA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(3),
  REATIVA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
  REATIVA_STATE_DIR: z.string().min(1).optional(),
  REATIVA_CHANGE_LOG_HISTORY: z.string().default('7d'),
  // Post-due collection: due dates are calendar days of the ISP's zone; checked at least once a minute.
  REATIVA_COLLECTION_TIME_ZONE: z
    .string()
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as America/Sao_Paulo')
    .default('America/Sao_Paulo'),
  REATIVA_COLLECTION_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000, 'must be at most 60000: titles are checked at least once a minute').default(30_000),
  REATIVA_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  // Read by src/cli/main.ts before the settings load (it may re-execute `reativa start`); listed here so it is validated and documented with the rest.
  REATIVA_RUNTIME_TUNING: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
  // Each process's HTTP server (/metrics, /healthz, /readyz, the admin page): loopback unless told otherwise.
  REATIVA_HTTP_HOST: z.string().regex(/^[A-Za-z0-9.:_-]+$/, 'must be a host name or an IP address to bind (127.0.0.1, 0.0.0.0, ::)').default('127.0.0.1'),
  REATIVA_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  REATIVA_PROGRESS_LOG_INTERVAL: z.string().default('1m'),
  // The admin page's credentials: a token, or a user and a password; with none, the page refuses every request.
  REATIVA_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters (openssl rand -hex 24 makes one)').optional(),
  REATIVA_ADMIN_USER: z.string().min(1).max(200).optional(),
  REATIVA_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  REATIVA_ADMIN_SESSION_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
});

/** The name of every variable Reativa reads: what a deployment file may set (test/unit/deploy checks them). */
export const SETTING_NAMES: readonly string[] = Object.keys(environmentSchema.shape);

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
    /** TLS to the brokers (REATIVA_KAFKA_SSL*), PEM contents read at start; undefined: plaintext. */
    readonly tls: KafkaTls | undefined;
    /** SASL (REATIVA_KAFKA_SASL_*); undefined: none. */
    readonly sasl: KafkaSasl | undefined;
    /** The native broker's SASL/SCRAM listener port (the embedded stack only). */
    readonly saslPort: number;
  };
  readonly schemaRegistryUrl: string;
  /** Basic auth and a private CA for the schema registry; empty for the embedded one. */
  readonly schemaRegistry: RegistryAccess;
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
  /** PEM of a private CA for the SMTP server's certificate (smtps://, STARTTLS). */
  readonly smtpTlsCa: string | undefined;
  readonly mailWebUrl: string;
  readonly pgBin: string | undefined;
  readonly registryJavaHome: string | undefined;
  readonly logLevel: string;
  /** Each process's HTTP server: /metrics, /healthz, /readyz, the admin page. Port 0: any free port. */
  readonly http: { readonly host: string; readonly port: number };
  /** How often each stage logs its counters (one info line per stage). */
  readonly progressLogIntervalMs: number;
  /** The admin page: who may log in (undefined: nobody, the page is off) and how long a session lasts. */
  readonly admin: {
    readonly credentials: { readonly kind: 'token'; readonly token: string } | { readonly kind: 'password'; readonly user: string; readonly password: string } | undefined;
    readonly sessionMinutes: number;
  };
  /** Reativa's topics and consumer groups: their namespace, and how new topics are made. */
  readonly topics: { readonly namespace: string; readonly partitions: number; readonly replicationFactor: number };
  /** The mapper's state store: where it lives, and how far back its history (and replays) reach. */
  readonly state: { readonly dir: string; readonly historyMs: number };
  /** Post-due collection: the zone due dates are days of, and how often titles are checked. */
  readonly collection: { readonly timeZone: string; readonly checkIntervalMs: number };
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
    /** Deliveries read ahead per consumer group of the process (first attempts, retries), all partitions together. */
    readonly maxPending: number;
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
  const secure = secureConnections(e);
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
  const [progressLogIntervalMs] = durations('REATIVA_PROGRESS_LOG_INTERVAL', e.REATIVA_PROGRESS_LOG_INTERVAL);
  if (progressLogIntervalMs! < 1000) throw new SettingsError([`REATIVA_PROGRESS_LOG_INTERVAL: must be at least 1s, is ${e.REATIVA_PROGRESS_LOG_INTERVAL}`]);
  if ((e.REATIVA_ADMIN_USER === undefined) !== (e.REATIVA_ADMIN_PASSWORD === undefined)) {
    throw new SettingsError([`${e.REATIVA_ADMIN_USER === undefined ? 'REATIVA_ADMIN_USER' : 'REATIVA_ADMIN_PASSWORD'}: must be set together with ${e.REATIVA_ADMIN_USER === undefined ? 'REATIVA_ADMIN_PASSWORD' : 'REATIVA_ADMIN_USER'}`]);
  }
  if (e.REATIVA_ADMIN_TOKEN !== undefined && e.REATIVA_ADMIN_USER !== undefined) {
    throw new SettingsError(['REATIVA_ADMIN_TOKEN: set either it or REATIVA_ADMIN_USER and REATIVA_ADMIN_PASSWORD, not both']);
  }
  const stackDir = path.resolve(cwd, e.REATIVA_STACK_DIR);
  return {
    stackMode: e.REATIVA_STACK,
    stackDir,
    kafka: {
      brokers: e.REATIVA_KAFKA_BROKERS,
      clientId: e.REATIVA_KAFKA_CLIENT_ID,
      controllerPort: e.REATIVA_KAFKA_CONTROLLER_PORT,
      sessionTimeoutMs: e.REATIVA_KAFKA_SESSION_TIMEOUT_MS,
      tls: secure.kafkaTls,
      sasl: secure.kafkaSasl,
      saslPort: e.REATIVA_KAFKA_SASL_PORT,
    },
    schemaRegistryUrl: e.REATIVA_SCHEMA_REGISTRY_URL.replace(/\/+$/, ''),
    schemaRegistry: secure.registry,
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
    smtpTlsCa: secure.smtpTlsCa,
    mailWebUrl: e.REATIVA_MAIL_WEB_URL.replace(/\/+$/, ''),
    pgBin: e.REATIVA_PG_BIN,
    registryJavaHome: e.REATIVA_REGISTRY_JAVA_HOME,
    logLevel: e.REATIVA_LOG_LEVEL,
    http: { host: e.REATIVA_HTTP_HOST, port: e.REATIVA_HTTP_PORT },
    progressLogIntervalMs: progressLogIntervalMs!,
    admin: {
      credentials:
        e.REATIVA_ADMIN_TOKEN !== undefined
          ? { kind: 'token', token: e.REATIVA_ADMIN_TOKEN }
          : e.REATIVA_ADMIN_USER !== undefined && e.REATIVA_ADMIN_PASSWORD !== undefined
            ? { kind: 'password', user: e.REATIVA_ADMIN_USER, password: e.REATIVA_ADMIN_PASSWORD }
            : undefined,
      sessionMinutes: e.REATIVA_ADMIN_SESSION_MINUTES,
    },
    topics: { namespace: e.REATIVA_NAMESPACE, partitions: e.REATIVA_TOPIC_PARTITIONS, replicationFactor: e.REATIVA_TOPIC_REPLICATION_FACTOR },
    state: { dir: e.REATIVA_STATE_DIR ? path.resolve(cwd, e.REATIVA_STATE_DIR) : path.join(stackDir, 'state'), historyMs: historyMs! },
    collection: { timeZone: e.REATIVA_COLLECTION_TIME_ZONE, checkIntervalMs: e.REATIVA_COLLECTION_CHECK_INTERVAL_MS },
    delivery: {
      retryScheduleMs,
      connectTimeoutMs: e.REATIVA_DELIVERY_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: e.REATIVA_DELIVERY_RESPONSE_TIMEOUT_MS,
      attemptDeadlineMs: e.REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS,
      // The embedded stack's partners (the simulator, a demo's) listen on this machine.
      allowHosts: e.REATIVA_DELIVERY_ALLOW_HOSTS ?? (e.REATIVA_STACK === 'external' ? [] : EMBEDDED_STACK_ALLOW_HOSTS),
      httpsOnly: e.REATIVA_DELIVERY_HTTPS_ONLY === 'true',
      maxInFlightPerWebhook: e.REATIVA_DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK,
      maxPending: e.REATIVA_DELIVERY_MAX_PENDING,
      breakerThreshold: e.REATIVA_DELIVERY_BREAKER_THRESHOLD,
      attemptLogRetentionDays: e.REATIVA_ATTEMPT_LOG_RETENTION_DAYS,
    },
    alerts: { digestWindowMs: e.REATIVA_ALERT_DIGEST_WINDOW_MS, from: e.REATIVA_ALERT_FROM },
  };
}

/** TLS to Kafka: PEM contents (a CA bundle, a client certificate and its key). */
export interface KafkaTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly passphrase?: string;
}

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSasl {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: string;
}

/** How to reach the schema registry beyond its URL: basic auth, a private CA (PEM). */
export interface RegistryAccess {
  readonly username?: string;
  readonly password?: string;
  readonly ca?: string;
}

/** The variables that talk to a database: their TLS parameters are checked at start. */
const DATABASE_URL_VARIABLES = ['REATIVA_ERP_DATABASE_URL', 'REATIVA_ERP_ADMIN_DATABASE_URL', 'REATIVA_ERP_SUPERUSER_DATABASE_URL', 'REATIVA_DATABASE_URL'] as const;

/** node-postgres's sslmode values (README, "Secure connections"). */
const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

const isLoopback = (host: string) => ['localhost', '127.0.0.1', '::1', '[::1]'].includes(host.toLowerCase());

type Environment = z.infer<typeof environmentSchema>;

/**
 * The secure-connection settings, checked together so one run names every
 * problem: files must be readable PEM, pairs come together, and no password
 * goes over the network in clear text. Messages name variables, never values.
 */
function secureConnections(e: Environment): { kafkaTls: KafkaTls | undefined; kafkaSasl: KafkaSasl | undefined; registry: RegistryAccess; smtpTlsCa: string | undefined } {
  const problems: string[] = [];
  const pem = (variable: string, file: string | undefined): string | undefined => {
    if (file === undefined) return undefined;
    try {
      const text = fs.readFileSync(file, 'utf8');
      if (!text.includes('-----BEGIN ')) {
        problems.push(`${variable}: ${file} is not a PEM file (no -----BEGIN line)`);
        return undefined;
      }
      return text;
    } catch (error) {
      problems.push(`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return undefined;
    }
  };

  // Kafka TLS.
  const tlsOn = e.REATIVA_KAFKA_SSL === 'true';
  const tlsFiles = { REATIVA_KAFKA_SSL_CA: e.REATIVA_KAFKA_SSL_CA, REATIVA_KAFKA_SSL_CERT: e.REATIVA_KAFKA_SSL_CERT, REATIVA_KAFKA_SSL_KEY: e.REATIVA_KAFKA_SSL_KEY, REATIVA_KAFKA_SSL_KEY_PASSWORD: e.REATIVA_KAFKA_SSL_KEY_PASSWORD };
  if (!tlsOn) {
    for (const [variable, value] of Object.entries(tlsFiles)) if (value !== undefined) problems.push(`${variable}: only used with TLS; set REATIVA_KAFKA_SSL=true`);
  }
  if ((e.REATIVA_KAFKA_SSL_CERT === undefined) !== (e.REATIVA_KAFKA_SSL_KEY === undefined)) {
    problems.push(`${e.REATIVA_KAFKA_SSL_CERT === undefined ? 'REATIVA_KAFKA_SSL_CERT' : 'REATIVA_KAFKA_SSL_KEY'}: a client certificate needs both REATIVA_KAFKA_SSL_CERT and REATIVA_KAFKA_SSL_KEY`);
  }
  if (e.REATIVA_KAFKA_SSL_KEY_PASSWORD !== undefined && e.REATIVA_KAFKA_SSL_KEY === undefined) problems.push('REATIVA_KAFKA_SSL_KEY_PASSWORD: there is no REATIVA_KAFKA_SSL_KEY to unlock');
  const kafkaTls: KafkaTls | undefined = tlsOn
    ? {
        ca: pem('REATIVA_KAFKA_SSL_CA', e.REATIVA_KAFKA_SSL_CA),
        cert: pem('REATIVA_KAFKA_SSL_CERT', e.REATIVA_KAFKA_SSL_CERT),
        key: pem('REATIVA_KAFKA_SSL_KEY', e.REATIVA_KAFKA_SSL_KEY),
        passphrase: e.REATIVA_KAFKA_SSL_KEY_PASSWORD,
      }
    : undefined;

  // Kafka SASL.
  let kafkaSasl: KafkaSasl | undefined;
  const mechanism = e.REATIVA_KAFKA_SASL_MECHANISM;
  if (mechanism === undefined) {
    for (const variable of ['REATIVA_KAFKA_SASL_USERNAME', 'REATIVA_KAFKA_SASL_PASSWORD'] as const) {
      if (e[variable] !== undefined) problems.push(`${variable}: set REATIVA_KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512) too`);
    }
  } else {
    if (e.REATIVA_KAFKA_SASL_USERNAME === undefined) problems.push(`REATIVA_KAFKA_SASL_USERNAME: required with REATIVA_KAFKA_SASL_MECHANISM=${mechanism}`);
    if (e.REATIVA_KAFKA_SASL_PASSWORD === undefined) problems.push(`REATIVA_KAFKA_SASL_PASSWORD: required with REATIVA_KAFKA_SASL_MECHANISM=${mechanism}`);
    // PLAIN sends the password itself; SCRAM proves it without sending it.
    if (mechanism === 'plain' && !tlsOn) problems.push('REATIVA_KAFKA_SASL_MECHANISM: plain sends the password in clear text; use it with REATIVA_KAFKA_SSL=true, or use scram-sha-512');
    if (e.REATIVA_KAFKA_SASL_USERNAME !== undefined && e.REATIVA_KAFKA_SASL_PASSWORD !== undefined) {
      kafkaSasl = { mechanism, username: e.REATIVA_KAFKA_SASL_USERNAME, password: e.REATIVA_KAFKA_SASL_PASSWORD };
    }
  }

  // Schema registry: basic auth, a private CA.
  const registryUrl = new URL(e.REATIVA_SCHEMA_REGISTRY_URL);
  const user = e.REATIVA_SCHEMA_REGISTRY_USERNAME;
  const pass = e.REATIVA_SCHEMA_REGISTRY_PASSWORD;
  if ((user === undefined) !== (pass === undefined)) {
    problems.push(`${user === undefined ? 'REATIVA_SCHEMA_REGISTRY_USERNAME' : 'REATIVA_SCHEMA_REGISTRY_PASSWORD'}: basic auth needs both REATIVA_SCHEMA_REGISTRY_USERNAME and REATIVA_SCHEMA_REGISTRY_PASSWORD`);
  }
  if (registryUrl.username || registryUrl.password) problems.push('REATIVA_SCHEMA_REGISTRY_URL: put credentials in REATIVA_SCHEMA_REGISTRY_USERNAME and REATIVA_SCHEMA_REGISTRY_PASSWORD, not in the URL');
  if (pass !== undefined && registryUrl.protocol === 'http:' && !isLoopback(registryUrl.hostname)) {
    problems.push('REATIVA_SCHEMA_REGISTRY_PASSWORD: basic auth over http:// sends the password in clear text; use an https:// REATIVA_SCHEMA_REGISTRY_URL');
  }
  if (e.REATIVA_SCHEMA_REGISTRY_CA !== undefined && registryUrl.protocol !== 'https:') problems.push('REATIVA_SCHEMA_REGISTRY_CA: only used with an https:// REATIVA_SCHEMA_REGISTRY_URL');
  const registry: RegistryAccess = {
    ...(user !== undefined && pass !== undefined ? { username: user, password: pass } : {}),
    ...(e.REATIVA_SCHEMA_REGISTRY_CA !== undefined ? { ca: pem('REATIVA_SCHEMA_REGISTRY_CA', e.REATIVA_SCHEMA_REGISTRY_CA) } : {}),
  };

  // SMTP: credentials come as a pair; a private CA.
  const smtp = new URL(e.REATIVA_SMTP_URL);
  if (smtp.username && !smtp.password) problems.push('REATIVA_SMTP_URL: has a user but no password (smtp://user:password@host:port; percent-encode special characters)');
  const smtpTlsCa = pem('REATIVA_SMTP_TLS_CA', e.REATIVA_SMTP_TLS_CA);

  // PostgreSQL: TLS through the URL's libpq parameters, which node-postgres reads (and whose files it reads) when connecting.
  for (const variable of DATABASE_URL_VARIABLES) {
    const params = new URL(e[variable]).searchParams;
    const mode = params.get('sslmode');
    if (mode !== null && !SSL_MODES.includes(mode)) problems.push(`${variable}: sslmode must be one of ${SSL_MODES.join(', ')}`);
    for (const param of ['sslrootcert', 'sslcert', 'sslkey']) {
      const file = params.get(param);
      if (file !== null) pem(`${variable} (${param})`, file);
    }
    if ((params.get('sslcert') === null) !== (params.get('sslkey') === null)) problems.push(`${variable}: a client certificate needs both sslcert and sslkey`);
  }

  if (problems.length > 0) throw new SettingsError(problems);
  return { kafkaTls, kafkaSasl, registry, smtpTlsCa };
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
