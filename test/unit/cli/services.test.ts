import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { confirmed, databaseLocation, REACH_DEADLINE_MS, unreachable } from '../../../src/cli/services.js';
import { RetryableError } from '../../../src/errors/retryable-error.js';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('a service a command cannot reach', () => {
  it('ends the command with one line: the service, where, the setting and reativa doctor', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092\n    at TCPConnectWrap.afterConnect'), { code: 'ECONNREFUSED' });
    const error = unreachable('Kafka', '127.0.0.1:9092', 'REATIVA_KAFKA_BROKERS', cause);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toBe('Kafka is not reachable at 127.0.0.1:9092 (REATIVA_KAFKA_BROKERS): connect ECONNREFUSED 127.0.0.1:9092; check REATIVA_KAFKA_BROKERS, or run `reativa doctor`');
    expect(error.message).not.toContain('\n');
    expect(error.cause).toBe(cause);
  });

  it('shows a database by its server and name, never its user or password', () => {
    expect(databaseLocation('postgres://reativa:s3cret@db.example:5432/reativa?sslmode=require')).toBe('db.example:5432/reativa');
    expect(databaseLocation('not a url')).toBe('(not a URL)');
  });

  it('is given up on well within the 10 s a command may wait', () => {
    expect(REACH_DEADLINE_MS).toBeLessThanOrEqual(7000);
  });
});

describe('confirmation', () => {
  const terminal = (answer: string | undefined) => {
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    input.isTTY = answer !== undefined;
    if (answer !== undefined) setImmediate(() => (input as unknown as PassThrough).write(`${answer}\n`));
    return input;
  };

  it('goes ahead with --yes without asking', async () => {
    expect(await confirmed('send 3 record(s) back', true, terminal(undefined))).toBe(true);
  });

  it('refuses without a terminal to ask on: says to add --yes, exit code 2', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await confirmed('send 3 record(s) back', false, terminal(undefined))).toBe(false);
    expect(errors.mock.calls[0]![0]).toMatch(/^refusing to send 3 record\(s\) back without confirmation: stdin is not a terminal; add --yes/);
    expect(process.exitCode).toBe(2);
  });

  it('asks on a terminal: yes goes ahead, anything else does nothing (exit code 1)', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await confirmed('replay', false, terminal('y'))).toBe(true);
    expect(await confirmed('replay', false, terminal('sim'))).toBe(true);
    expect(process.exitCode).toBeUndefined();
    expect(await confirmed('replay', false, terminal('n'))).toBe(false);
    expect(process.exitCode).toBe(1);
  });
});
