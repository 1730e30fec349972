import { ReativaError } from './reativa-error.js';

/**
 * Bad input: this record, request or row will fail the same way however often
 * it is tried. It gets a logged reason and a dead letter; the stage goes on.
 */
export class PermanentError extends ReativaError {
  readonly retryable = false;
}
