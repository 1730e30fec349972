// Every attempt ends in one of three outcomes, decided here and only here:
// success (2xx), retryable (network errors, timeouts, 408, 425, 429, 5xx),
// or permanent (any other status: redirects are not followed, and a 4xx will
// not change by asking again; and a request that cannot even be made — a
// header the HTTP client refuses, an address the SSRF guard refuses — which
// is a configuration fault).
import { classifyError } from '../errors/classify.js';
import { ReativaError } from '../errors/reativa-error.js';

export type Outcome =
  | { readonly kind: 'success'; readonly status: number }
  | { readonly kind: 'retryable'; readonly status: number | null; readonly error: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'permanent'; readonly status: number | null; readonly error: string };

const RETRYABLE_STATUSES = new Set([408, 425, 429]);
const PROGRAMMING_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

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

/** Prefixes the reason of a request the HTTP client refused to make, for the operators who must fix the webhook. */
export const INVALID_REQUEST = 'requisição inválida (verifique Url e Headers do webhook)';

/**
 * An attempt that got no HTTP answer. The partner's side failing (refused,
 * reset, timed out, anything unforeseen) is retryable; a request the HTTP
 * client refuses to make (an invalid header name or value — NUL, CR, LF — a
 * header only the client may set, a programming error) is permanent: asking
 * again would only fail again. Reativa's own verdicts on an attempt (the SSRF
 * guard's refusal, the attempt's deadline) say which they are, and why.
 */
export function classifyAttemptError(error: unknown): Outcome {
  if (error instanceof ReativaError) {
    return error.retryable ? { kind: 'retryable', status: null, error: error.message, retryAfterMs: null } : { kind: 'permanent', status: null, error: error.message };
  }
  const e = error as { code?: string; name?: string; message?: string };
  const text = `${e.code ?? e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  // The client's own verdicts carry undici codes (UND_ERR_INVALID_ARG, thrown
  // by dispatch itself; UND_ERR_NOT_SUPPORTED for Expect); a programming error (a TypeError, say) carries none.
  const fromClient = typeof e.code === 'string' ? e.code.startsWith('UND_ERR_') : PROGRAMMING_ERRORS.has(e.name ?? '');
  if (fromClient && classifyError(error) === 'permanent') return { kind: 'permanent', status: null, error: `${INVALID_REQUEST}: ${text}` };
  return { kind: 'retryable', status: null, error: text, retryAfterMs: null };
}
