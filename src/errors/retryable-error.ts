import { ReativaError } from './reativa-error.js';

/**
 * A passing fault of something outside: a broker, a database, the registry or
 * SMTP that does not answer now. Waited out with backoff, never dead-lettered.
 */
export class RetryableError extends ReativaError {
  readonly retryable = true;
}
