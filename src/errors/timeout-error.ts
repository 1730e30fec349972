import { RetryableError } from './retryable-error.js';

/** A wait on a condition ran out of time; says what it waited for and the last error seen. */
export class TimeoutError extends RetryableError {
  constructor(what: string, timeoutMs: number, readonly lastError?: unknown) {
    const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
    super(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${cause}`, { cause: lastError });
  }
}
