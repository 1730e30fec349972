// One pino logger for the process. Secrets never reach logs: anything that may
// carry a token, a header value or a client secret is redacted by path here,
// and code logs configuration objects only through these known shapes.
import { pino, type Logger } from 'pino';

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
];

export function createLogger(level = 'info', name = 'reativa'): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}

export type { Logger };
