// One place that says whether an error is worth trying again. Reativa's own
// errors carry the answer; errors of the libraries underneath (KafkaJS,
// node-postgres, undici, nodemailer, Node's sockets) are mapped here by their codes, so no
// other module reads an error's shape.
import { ReativaError } from './reativa-error.js';

export type ErrorClass = 'retryable' | 'permanent';

/** Programming errors: a retry would only fail again; they must surface, loudly. */
const PROGRAMMING_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError']);

/** Socket-level failures (Node's system errors): the other side is away or slow. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ESOCKETTIMEDOUT',
]);

/** undici's codes for a request that timed out or lost its connection. */
const UNDICI_RETRYABLE = new Set([
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET',
  'UND_ERR_CLOSED', 'UND_ERR_DESTROYED', 'UND_ERR_INFO',
]);

/**
 * nodemailer's codes for a connection that could not be made or was lost
 * (ETIMEDOUT is among NETWORK_CODES). A connection refused is ESOCKET with
 * originalCode ECONNREFUSED.
 */
const SMTP_CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS']);

/** A TLS certificate that does not verify fails as ESOCKET too, but is configuration: waiting will not fix it. */
const TLS_FAULT = /CERT|^ERR_TLS|^ERR_SSL/;

/**
 * An SMTP reply carried by a nodemailer error (`responseCode`): 4xx is
 * transient by RFC 5321 (mailbox busy, try later), 5xx a refusal that the
 * same mail would get again. Undefined when the error carries no reply.
 */
function smtpReplyClass(responseCode: unknown): ErrorClass | undefined {
  if (typeof responseCode !== 'number') return undefined;
  if (responseCode >= 400 && responseCode < 500) return 'retryable';
  if (responseCode >= 500 && responseCode < 600) return 'permanent';
  return undefined;
}

/**
 * PostgreSQL SQLSTATE classes and codes that describe the server, not the
 * statement: connection loss (08), too little of something (53), a server
 * shutting down or starting (57P01–57P03), a conflict that a retry resolves
 * (40001 serialization, 40P01 deadlock, 55P03 lock not available), system errors (58).
 */
function sqlstateRetryable(code: string): boolean {
  return code.startsWith('08') || code.startsWith('53') || code.startsWith('58') || ['57P01', '57P02', '57P03', '40001', '40P01', '55P03'].includes(code);
}

/** node-postgres and pg-pool raise these without a SQLSTATE when the connection is gone or cannot be had. */
const PG_CONNECTION_MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/, /^Client has encountered a connection error/, /Query read timeout/];

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
  readonly originalError?: unknown;
  readonly responseCode?: unknown;
  readonly originalCode?: unknown;
}

export function classifyError(error: unknown, depth = 0): ErrorClass {
  if (error instanceof ReativaError) return error.retryable ? 'retryable' : 'permanent';
  if (typeof error !== 'object' || error === null || depth > 5) return 'permanent';
  const e = error as ErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (PROGRAMMING_ERRORS.has(name) && !code) return 'permanent';
  // The SMTP server's own reply says more than the step that failed on it.
  const reply = smtpReplyClass(e.responseCode);
  if (reply) return reply;
  if (SMTP_CONNECTION_CODES.has(code)) return typeof e.originalCode === 'string' && TLS_FAULT.test(e.originalCode) ? 'permanent' : 'retryable';
  if (NETWORK_CODES.has(code) || UNDICI_RETRYABLE.has(code)) return 'retryable';
  if (code.startsWith('UND_ERR_')) return 'permanent';
  if (/^[0-9A-Z]{5}$/.test(code) && /^[0-9]{2}/.test(code)) return sqlstateRetryable(code) ? 'retryable' : 'permanent';
  if (PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return 'retryable';
  // fetch's AbortSignal.timeout() and friends.
  if (name === 'TimeoutError' || name === 'AbortError') return 'retryable';
  if (name.startsWith('KafkaJS')) {
    // Retries ran out on something that was retriable: still an outage, not bad input.
    if (name === 'KafkaJSNumberOfRetriesExceeded' || name === 'KafkaJSConnectionError' || name === 'KafkaJSRequestTimeoutError') return 'retryable';
    const inner = e.originalError ?? e.cause;
    if (inner) return classifyError(inner, depth + 1);
    return e.retriable === true ? 'retryable' : 'permanent';
  }
  if (e.cause) return classifyError(e.cause, depth + 1);
  return 'permanent';
}

export const isRetryable = (error: unknown): boolean => classifyError(error) === 'retryable';
