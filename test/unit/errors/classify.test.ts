import { describe, expect, it } from 'vitest';
import type {
  ReativaError} from '../../../src/errors/index.js';
import {
  AttemptDeadlineError,
  classifyError,
  GroupBusyError,
  InputError,
  PermanentError,
  RequestRefusedError,
  RetryableError,
  SettingsError,
  StackError,
  TimeoutError,
  UnmappableError,
  UnrecoverableError,
} from '../../../src/errors/index.js';

const withCode = (code: string, name = 'Error') => Object.assign(new Error(code), { code, name });

describe('the error taxonomy', () => {
  it('says of each of its errors whether a retry can help, and names it', () => {
    const cases: [ReativaError, boolean][] = [
      [new RetryableError('broker away'), true],
      [new TimeoutError('the group', 5000), true],
      [new PermanentError('bad row'), false],
      [new UnmappableError('no key'), false],
      [new InputError('--url'), false],
      [new GroupBusyError('busy'), false],
      [new UnrecoverableError('bad config'), false],
      [new SettingsError(['REATIVA_X: bad']), false],
      [new StackError('port taken'), false],
      [new RequestRefusedError('endereço recusado'), false],
      [new AttemptDeadlineError(30_000), true],
    ];
    for (const [error, retryable] of cases) {
      expect(error.retryable, error.name).toBe(retryable);
      expect(classifyError(error)).toBe(retryable ? 'retryable' : 'permanent');
      expect(error.name).toBe(error.constructor.name);
    }
    expect(new SettingsError(['REATIVA_A: x', 'REATIVA_B: y']).message).toBe('Invalid configuration:\n  - REATIVA_A: x\n  - REATIVA_B: y');
    expect(new TimeoutError('the connector', 90_000, new Error('HTTP 503')).message).toBe('timed out after 90 s waiting for the connector: last error: HTTP 503');
  });
});

describe('classifyError', () => {
  it('never retries programming errors', () => {
    expect(classifyError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe('permanent');
    expect(classifyError(new RangeError('Invalid time value'))).toBe('permanent');
  });

  it('retries sockets that failed, and timeouts', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']) expect(classifyError(withCode(code)), code).toBe('retryable');
    expect(classifyError(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }))).toBe('retryable');
  });

  it('does not retry a request the HTTP client refuses', () => {
    expect(classifyError(withCode('UND_ERR_INVALID_ARG'))).toBe('permanent');
  });

  it('reads PostgreSQL SQLSTATEs: the server away or busy is retryable, the statement wrong is not', () => {
    for (const code of ['08006', '08001', '57P01', '57P03', '53300', '40001', '40P01', '55P03']) expect(classifyError(withCode(code)), code).toBe('retryable');
    for (const code of ['23505', '22P02', '42P01', '42703']) expect(classifyError(withCode(code)), code).toBe('permanent');
    expect(classifyError(new Error('Connection terminated unexpectedly'))).toBe('retryable');
    expect(classifyError(new Error('timeout exceeded when trying to connect'))).toBe('retryable');
  });

  it('follows KafkaJS: retriable errors, exhausted retries and lost connections are retryable', () => {
    expect(classifyError(Object.assign(new Error('x'), { name: 'KafkaJSProtocolError', retriable: true }))).toBe('retryable');
    expect(classifyError(Object.assign(new Error('x'), { name: 'KafkaJSProtocolError', retriable: false }))).toBe('permanent');
    expect(classifyError(Object.assign(new Error('x'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false }))).toBe('retryable');
    expect(classifyError(Object.assign(new Error('x'), { name: 'KafkaJSConnectionError', retriable: true }))).toBe('retryable');
    expect(classifyError(Object.assign(new Error('x'), { name: 'KafkaJSNonRetriableError', retriable: false, cause: withCode('ECONNREFUSED') }))).toBe('retryable');
  });

  it('follows a cause, and counts anything unknown as permanent', () => {
    expect(classifyError(new Error('wrapped', { cause: withCode('ECONNRESET') }))).toBe('retryable');
    expect(classifyError(new Error('something odd'))).toBe('permanent');
    expect(classifyError('a string')).toBe('permanent');
    expect(classifyError(null)).toBe('permanent');
  });
});
