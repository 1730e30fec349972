import { RetryableError } from './retryable-error.js';

/** A delivery attempt ran past its total deadline (connect, headers and body together): a timeout, tried again later. */
export class AttemptDeadlineError extends RetryableError {
  readonly code = 'REATIVA_ATTEMPT_DEADLINE';

  constructor(readonly deadlineMs: number) {
    super(`prazo da tentativa esgotado: ${deadlineMs} ms para conectar, receber a resposta e lê-la (REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS)`);
  }
}
