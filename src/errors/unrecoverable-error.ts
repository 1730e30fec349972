import { ReativaError } from './reativa-error.js';

/**
 * A fault of configuration or of the program itself: nothing a retry or a
 * dead letter can mend, so whatever meets it stops and says why (a wait ends at
 * once, a process exits non-zero). KafkaJS and BullMQ have the same notion.
 */
export class UnrecoverableError extends ReativaError {
  readonly retryable = false;
}
