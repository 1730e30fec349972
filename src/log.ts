// One pino logger for the process. Secrets never reach logs: anything that may
// carry a token, a header value or a client secret is redacted by path here,
// and code logs configuration objects only through these known shapes.
import { pino, type DestinationStream, type Logger } from 'pino';

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
];

/** `destination`: where the lines go (stdout by default; a test that reads its logs gives a stream of its own). */
export function createLogger(level = 'info', name = 'reativa', destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
