import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../../src/errors/timeout-error.js';
import { UnrecoverableError } from '../../../src/errors/unrecoverable-error.js';
import { waitFor } from '../../../src/util/wait.js';

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
