import { describe, expect, it } from 'vitest';
import { classifyAttemptError, classifyStatus, parseRetryAfter } from '../../../src/delivery/outcome.js';
import { AttemptDeadlineError } from '../../../src/errors/attempt-deadline-error.js';
import { RequestRefusedError } from '../../../src/errors/request-refused-error.js';

describe('outcomes', () => {
  it.each([200, 201, 204, 299])('%i is success', (s) => expect(classifyStatus(s).kind).toBe('success'));
  it.each([408, 425, 429, 500, 502, 503, 504])('%i is retryable', (s) => expect(classifyStatus(s).kind).toBe('retryable'));
  it.each([301, 302, 400, 401, 403, 404, 409, 410, 422])('%i is permanent', (s) => expect(classifyStatus(s).kind).toBe('permanent'));
  it('network errors and timeouts are retryable', () => {
    expect(classifyAttemptError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({ kind: 'retryable', status: null, error: 'ECONNREFUSED: connect ECONNREFUSED' });
  });
  it('reads Retry-After as seconds or a date', () => {
    const now = Date.parse('2026-11-29T12:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(classifyStatus(429, '5', now)).toMatchObject({ kind: 'retryable', retryAfterMs: 5000 });
  });
});

describe('attempts without an answer', () => {
  it('are retryable when the partner side fails, whatever the code', () => {
    for (const code of ['ECONNRESET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_SOCKET', 'CERT_HAS_EXPIRED']) {
      expect(classifyAttemptError(Object.assign(new Error('x'), { code })).kind, code).toBe('retryable');
    }
  });
  it('are permanent when the HTTP client refuses the request itself (a configuration fault)', () => {
    expect(classifyAttemptError(Object.assign(new Error('invalid x-token header'), { code: 'UND_ERR_INVALID_ARG' }))).toMatchObject({
      kind: 'permanent',
      status: null,
      error: 'requisição inválida (verifique Url e Headers do webhook): UND_ERR_INVALID_ARG: invalid x-token header',
    });
    expect(classifyAttemptError(Object.assign(new Error('expect header not supported'), { code: 'UND_ERR_NOT_SUPPORTED' })).kind).toBe('permanent');
    expect(classifyAttemptError(new TypeError('Invalid character in header content')).kind).toBe('permanent');
  });
  it('are permanent when the address guard refuses the request, with its reason', () => {
    const reason = 'endereço recusado: 127.0.0.1 é loopback (REATIVA_DELIVERY_ALLOW_HOSTS)';
    expect(classifyAttemptError(new RequestRefusedError(reason))).toEqual({ kind: 'permanent', status: null, error: reason });
  });
  it('are retryable when the attempt ran out of its deadline (a timeout)', () => {
    expect(classifyAttemptError(new AttemptDeadlineError(1500))).toEqual({
      kind: 'retryable',
      status: null,
      error: 'prazo da tentativa esgotado: 1500 ms para conectar, receber a resposta e lê-la (REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS)',
      retryAfterMs: null,
    });
  });
});
