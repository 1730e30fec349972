// The root of Reativa's error taxonomy. Every error Reativa throws on purpose
// says whether trying again can help (`retryable`), the way KafkaJS puts
// `retriable` on every error and BullMQ has UnrecoverableError. Code that
// catches an error asks classifyError (classify.ts) rather than its shape.
export abstract class ReativaError extends Error {
  /** Whether the same operation, tried again later, may succeed. */
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
