// One pino logger for the process. Secrets never reach logs: anything that may
// carry a token, a header value or a client secret is redacted by path here,
// and code logs configuration objects only through these known shapes.
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

export const REDACTED_PATHS = [
  'token',
  '*.token',
  '*.*.token',
  'headers[*].value',
  '*.headers[*].value',
  'parameters[*].value',
  '*.parameters[*].value',
  'password',
  '*.password',
  // The admin page's credentials, should the settings be logged whole (settings.admin.credentials).
  '*.*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  '*.Authorization',
  'req.headers.authorization',
  // A resolved webhook carries its real URL (query tokens), header and
  // parameter values and the list of its secrets; an integrator its token and URL.
  // Code logs ids and masked URLs (util/redact.ts); these catch a whole object logged by mistake.
  'secrets',
  '*.secrets',
  'webhook.url',
  '*.webhook.url',
  'webhook.headers[*].value',
  'webhook.parameters[*].value',
  'integrator.url',
  '*.integrator.url',
  '*.*.integrator.url',
  // The secret columns of a configuration row, should one be logged (capture/tables.ts SECRET_COLUMNS).
  'after.value',
  'before.value',
  '*.after.value',
  '*.before.value',
  'after.token',
  'before.token',
  '*.after.token',
  '*.before.token',
  // Database URLs may hold a password.
  'connectionString',
  '*.connectionString',
  // Kafka's SASL credentials and TLS key (settings.kafka, a KafkaConnection), the registry's and SMTP's
  // ('*.*.password', above, covers a logged connection's sasl.password and a logged schemaRegistry's password).
  'sasl',
  '*.sasl',
  'passphrase',
  '*.passphrase',
  '*.tls.key',
  'smtpUrl',
  '*.smtpUrl',
];

const requireFromHere = createRequire(import.meta.url);

/** Human-readable lines on a terminal; JSON, one object a line, for a pipe, a file or a log collector. */
export const isTerminal = (stream: NodeJS.WriteStream = process.stdout): boolean => stream.isTTY === true;

export interface LogOutput {
  /** 1 (stdout, the processes' log) or 2 (stderr: a CLI command's, whose stdout is its output). */
  readonly fd?: 1 | 2;
  /** pino-pretty instead of JSON; by default when that stream is a terminal. */
  readonly pretty?: boolean;
}

/**
 * `destination`: where the lines go (stdout by default; a test that reads its
 * logs gives a stream of its own). Redaction applies before either format.
 */
export function createLogger(level = 'info', name = 'reativa', destination?: DestinationStream, output: LogOutput = {}): Logger {
  const options = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (destination) return pino(options, destination);
  const fd = output.fd ?? 1;
  const pretty = output.pretty ?? isTerminal(fd === 1 ? process.stdout : process.stderr);
  // Loaded for a terminal only: a deployed process logs JSON and keeps its code (about 1 MB of heap) out.
  if (pretty) return pino(options, (requireFromHere('pino-pretty') as typeof PinoPretty)({ destination: fd, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  return fd === 1 ? pino(options) : pino(options, pino.destination({ fd, sync: true }));
}

export type { Logger };
