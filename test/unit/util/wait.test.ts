import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../../src/errors/timeout-error.js';
import { UnrecoverableError } from '../../../src/errors/unrecoverable-error.js';
import { waitFor, withDeadline } from '../../../src/util/wait.js';

describe('waitFor', () => {
  it('returns the first value the check gives', async () => {
    let calls = 0;
    await expect(waitFor('three calls', async () => (++calls >= 3 ? calls : undefined), { timeoutMs: 1000, intervalMs: 1 })).resolves.toBe(3);
  });

  it('gives up at the deadline, naming what it waited for and the last error', async () => {
    const wait = waitFor('the partner', async () => {
      throw new Error('ECONNREFUSED');
    }, { timeoutMs: 30, intervalMs: 5 });
    await expect(wait).rejects.toBeInstanceOf(TimeoutError);
    await expect(wait).rejects.toThrow('waiting for the partner: last error: ECONNREFUSED');
  });

  it('stops at once on an unrecoverable error', async () => {
    const started = Date.now();
    await expect(waitFor('a connector', async () => {
      throw new UnrecoverableError('connector task FAILED');
    }, { timeoutMs: 5000, intervalMs: 5 })).rejects.toThrow('connector task FAILED');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('withDeadline', () => {
  it('gives the work its result when it finishes in time', async () => {
    await expect(withDeadline('a quick answer', Promise.resolve(7), 1000)).resolves.toBe(7);
  });

  it('gives up at the deadline, naming what it waited for, and swallows the late failure', async () => {
    const late = new Promise<number>((_, reject) => setTimeout(() => reject(new Error('too late')), 50));
    const started = Date.now();
    await expect(withDeadline('the broker', late, 10)).rejects.toThrow('waiting for the broker');
    expect(Date.now() - started).toBeLessThan(45);
    // The abandoned work fails afterwards without an unhandled rejection.
    await new Promise((resolve) => setTimeout(resolve, 60));
  });
});
