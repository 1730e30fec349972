import { describe, expect, it } from 'vitest';
import { Cached } from '../../../src/util/cached.js';

describe('Cached', () => {
  it('reads once per time-to-live, and callers during a read share it', async () => {
    let clock = 0;
    let reads = 0;
    const cached = new Cached(async () => ++reads, 1000, () => clock);
    const [a, b] = await Promise.all([cached.get(), cached.get()]);
    expect([a, b, reads]).toEqual([1, 1, 1]);
    clock = 999;
    expect(await cached.get()).toBe(1);
    clock = 1000;
    expect(await cached.get()).toBe(2);
  });

  it('keeps no failure: the next caller reads again', async () => {
    let fail = true;
    const cached = new Cached(async () => {
      if (fail) throw new Error('broker away');
      return 'ok';
    }, 60_000);
    await expect(cached.get()).rejects.toThrow('broker away');
    fail = false;
    expect(await cached.get()).toBe('ok');
  });
});
