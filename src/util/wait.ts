// Waiting on conditions, never on the clock alone: every wait has a deadline
// and says what it waited for when it gives up.
import { TimeoutError } from '../errors/timeout-error.js';
import { UnrecoverableError } from '../errors/unrecoverable-error.js';

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Called about once every few seconds while waiting, for progress output. */
  readonly onWaiting?: (elapsedMs: number) => void;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a value other than undefined/false, or the
 * deadline passes (TimeoutError, with the last error seen). A check that
 * throws an UnrecoverableError ends the wait at once: no point polling on.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  { timeoutMs, intervalMs = 250, onWaiting }: WaitOptions,
): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  let lastReport = started;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      if (error instanceof UnrecoverableError) throw error;
      lastError = error;
    }
    const now = Date.now();
    if (now - started >= timeoutMs) throw new TimeoutError(what, timeoutMs, lastError);
    if (onWaiting && now - lastReport >= 5000) {
      lastReport = now;
      onWaiting(now - started);
    }
    await sleep(intervalMs);
  }
}

/**
 * `work`, or a TimeoutError naming `what` once `timeoutMs` pass: for a call
 * whose own timeouts are longer than its caller can wait (a probe, a scrape,
 * a CLI command). The work itself is not cancelled; its result is dropped.
 */
export async function withDeadline<T>(what: string, work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    // A late failure of the abandoned work must not become an unhandled rejection.
    work.catch(() => undefined);
  }
}
