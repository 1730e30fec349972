// nodemailer's errors, as classifyError sees them: an SMTP server that is away
// or says "try later" (4xx) is waited out; a 5xx refusal is permanent.
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../../src/errors/index.js';

const smtpError = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(code), { code, ...extra });

describe('classifyError on nodemailer errors', () => {
  it('retries a server that cannot be reached, drops its connection or times out', () => {
    expect(classifyError(smtpError('ESOCKET', { originalCode: 'ECONNREFUSED', command: 'CONN' }))).toBe('retryable');
    expect(classifyError(smtpError('ECONNECTION', { command: 'CONN' }))).toBe('retryable');
    expect(classifyError(smtpError('ETIMEDOUT', { command: 'CONN' }))).toBe('retryable');
    expect(classifyError(smtpError('EDNS', { originalCode: 'EAI_AGAIN' }))).toBe('retryable');
  });

  it('retries 4xx replies, whatever step they came at', () => {
    expect(classifyError(smtpError('ECONNECTION', { responseCode: 421, response: '421 Service not available' }))).toBe('retryable');
    expect(classifyError(smtpError('EENVELOPE', { responseCode: 450, response: '450 Mailbox busy' }))).toBe('retryable');
    expect(classifyError(smtpError('EMESSAGE', { responseCode: 452 }))).toBe('retryable');
    expect(classifyError(smtpError('EAUTH', { responseCode: 454 }))).toBe('retryable');
  });

  it('does not retry 5xx replies, even on a connection error', () => {
    expect(classifyError(smtpError('EENVELOPE', { responseCode: 550, response: '550 No such user' }))).toBe('permanent');
    expect(classifyError(smtpError('EMESSAGE', { responseCode: 552 }))).toBe('permanent');
    expect(classifyError(smtpError('EAUTH', { responseCode: 535 }))).toBe('permanent');
    expect(classifyError(smtpError('ECONNECTION', { responseCode: 554, response: '554 No SMTP service here' }))).toBe('permanent');
  });

  it('does not retry a TLS certificate that fails to verify, nor errors without a reply or a connection code', () => {
    expect(classifyError(smtpError('ESOCKET', { originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' }))).toBe('permanent');
    expect(classifyError(smtpError('ESOCKET', { originalCode: 'ERR_TLS_CERT_ALTNAME_INVALID' }))).toBe('permanent');
    expect(classifyError(smtpError('EENVELOPE'))).toBe('permanent');
    expect(classifyError(smtpError('EAUTH'))).toBe('permanent');
  });
});
