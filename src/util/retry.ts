// Waiting out an outage: an operation that fails with a retryable error (a
// database restarting, a broker away, the registry down) is tried again with
// exponential backoff until it succeeds; anything else is thrown at once.
// The reporter hears when the outage starts and ends — once each, not once per
// attempt — so logs say it once and readiness can follow it.
import { classifyError } from '../errors/classify.js';
import { sleep } from './wait.js';

export interface OutageReporter {
  /** `what` failed with a retryable error and is being waited out. */
  down(what: string, error: unknown): void;
  /** `what` works again. */
  up(what: string): void;
}

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 200, maxMs: 15_000 };

export async function waitOut<T>(what: string, operation: () => Promise<T>, reporter: OutageReporter, backoff: Backoff = DEFAULT_BACKOFF, stopped: () => boolean = () => false): Promise<T> {
  let delay = backoff.initialMs;
  let failed = false;
  for (;;) {
    try {
      const result = await operation();
      if (failed) reporter.up(what);
      return result;
    } catch (error) {
      if (classifyError(error) !== 'retryable' || stopped()) throw error;
      failed = true;
      reporter.down(what, error);
      await sleep(delay);
      delay = Math.min(backoff.maxMs, delay * 2);
    }
  }
}

/** Every method of `target` returns a promise: the shape `patiently` can wrap. */
export type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : never };

/**
 * `target` with each method call waited out (see waitOut) under one name: a
 * port to a database or a broker that pauses its caller through an outage
 * instead of failing it. Errors that are not retryable pass through at once.
 */
export function patiently<T extends AsyncMethods<T>>(target: T, what: string, reporter: OutageReporter, stopped: () => boolean = () => false, backoff: Backoff = DEFAULT_BACKOFF): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => waitOut(what, () => (value as (...a: unknown[]) => Promise<unknown>).apply(object, args), reporter, backoff, stopped);
    },
  });
}
