// Waiting on conditions, never on the clock alone: every wait has a deadline
// and says what it waited for when it gives up.

export class TimeoutError extends Error {
  constructor(what: string, timeoutMs: number, readonly lastError?: unknown) {
    const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
    super(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${cause}`);
    this.name = 'TimeoutError';
  }
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Called about once every few seconds while waiting, for progress output. */
  readonly onWaiting?: (elapsedMs: number) => void;
}

/** An error thrown by a check with `fatal: true` ends the wait at once: no point polling on. */
export function isFatal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { fatal?: unknown }).fatal === true;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined/false, or the deadline passes. */
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
      if (isFatal(error)) throw error;
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

/** fetch with a deadline: every external call has a timeout. */
export async function fetchWithTimeout(url: string, init: RequestInit = {}, timeoutMs = 5000): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}
