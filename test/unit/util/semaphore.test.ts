import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../src/util/semaphore.js';
import { sleep } from '../../../src/util/wait.js';

describe('semaphore', () => {
  it('bounds concurrency with a semaphore', async () => {
    const s = new Semaphore(2);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        await s.acquire();
        running += 1;
        peak = Math.max(peak, running);
        await sleep(5);
        running -= 1;
        s.release();
      }),
    );
    expect(peak).toBe(2);
  });

  it('takes a free permit without waiting, and hands a released one to the first waiter', async () => {
    const s = new Semaphore(1);
    expect(s.tryAcquire()).toBe(true);
    expect(s.tryAcquire()).toBe(false);
    const order: string[] = [];
    const first = s.acquire().then(() => order.push('first'));
    const second = s.acquire().then(() => order.push('second'));
    s.release();
    await first;
    s.release();
    await second;
    expect(order).toEqual(['first', 'second']);
  });
});
