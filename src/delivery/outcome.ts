// Every attempt ends in one of three outcomes, decided here and only here:
// success (2xx), retryable (network errors, timeouts, 408, 425, 429, 5xx),
// or permanent (any other status: redirects are not followed, and a 4xx will
// not change by asking again).
export type Outcome =
  | { readonly kind: 'success'; readonly status: number }
  | { readonly kind: 'retryable'; readonly status: number | null; readonly error: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'permanent'; readonly status: number; readonly error: string };

const RETRYABLE_STATUSES = new Set([408, 425, 429]);

/** Retry-After as seconds or an HTTP date, in ms from now; null when absent or unparsable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function classifyStatus(status: number, retryAfter?: string | null, now = Date.now()): Outcome {
  if (status >= 200 && status < 300) return { kind: 'success', status };
  if (RETRYABLE_STATUSES.has(status) || status >= 500) {
    return { kind: 'retryable', status, error: `HTTP ${status}`, retryAfterMs: parseRetryAfter(retryAfter, now) };
  }
  return { kind: 'permanent', status, error: status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}` };
}

export function classifyError(error: unknown): Outcome {
  const e = error as { code?: string; name?: string; message?: string };
  return { kind: 'retryable', status: null, error: `${e.code ?? e.name ?? 'Error'}: ${e.message ?? String(error)}`, retryAfterMs: null };
}
