// The root of Reativa's error taxonomy. Every error Reativa throws on purpose
// says whether trying again can help (`retryable`), the way KafkaJS puts
// `retriable` on every error and BullMQ has UnrecoverableError. Code that
// catches an error asks classifyError (classify.ts) rather than its shape.
export abstract class ReativaError extends Error {
  /** Whether the same operation, tried again later, may succeed. */
  abstract readonly retryable: boolean;

  /**
   * The same answer under KafkaJS's name: an error thrown from a consumer's
   * batch handler is retried, and the consumer restarted, only when it is
   * retriable; a permanent one stops it at once instead of after every retry.
   */
  get retriable(): boolean {
    return this.retryable;
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
