import { describe, expect, it } from 'vitest';
import { renderDigest, type FailureNotice } from '../../../src/alerts/render.js';
import { DEFAULT_SCHEDULE, nextRetry } from '../../../src/delivery/retry-policy.js';
import { parseDurationList } from '../../../src/util/durations.js';
import { Breakers } from '../../../src/delivery/breaker.js';
import { KeyedLanes } from '../../../src/delivery/lanes.js';
import { OffsetTracker, PartitionOffsets } from '../../../src/delivery/offsets.js';
import { Semaphore } from '../../../src/delivery/semaphore.js';
import { sleep } from '../../../src/util/wait.js';

const NOW = 1_000_000;

describe('retry policy', () => {
  it('follows 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, then 6 h', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => {
      const d = nextRetry(DEFAULT_SCHEDULE, attempt, 30, NOW);
      return d.retry ? [d.dueAt - NOW, d.retryTopicIndex, d.attempt] : undefined;
    });
    expect(delays).toEqual([
      [10_000, 1, 2], [60_000, 2, 3], [300_000, 3, 4], [1_800_000, 4, 5], [7_200_000, 5, 6], [21_600_000, 6, 7], [21_600_000, 6, 8], [21_600_000, 6, 9],
    ]);
  });

  it("stops at the webhook's max_attempts, counting the first send", () => {
    expect(nextRetry(DEFAULT_SCHEDULE, 4, 5, NOW).retry).toBe(true);
    expect(nextRetry(DEFAULT_SCHEDULE, 5, 5, NOW)).toEqual({ retry: false, reason: 'attempts_exhausted' });
    expect(nextRetry(DEFAULT_SCHEDULE, 1, 1, NOW).retry).toBe(false);
  });

  it('honours Retry-After within bounds, in the retry topic of the matching step', () => {
    expect(nextRetry(DEFAULT_SCHEDULE, 1, 5, NOW, 120_000)).toMatchObject({ dueAt: NOW + 120_000, retryTopicIndex: 3 });
    expect(nextRetry(DEFAULT_SCHEDULE, 1, 5, NOW, 0)).toMatchObject({ dueAt: NOW + 1000, retryTopicIndex: 1 });
    expect(nextRetry(DEFAULT_SCHEDULE, 1, 5, NOW, 48 * 3600_000)).toMatchObject({ dueAt: NOW + 6 * 3600_000, retryTopicIndex: 6 });
  });

  it('parses a schedule and names a bad step', () => {
    expect(parseDurationList('200ms, 1s,5m,2h')).toEqual([200, 1000, 300_000, 7_200_000]);
    expect(() => parseDurationList('10s,soon')).toThrow(/"soon" is not a duration/);
  });
});

describe('scheduling', () => {
  it('commits only up to the lowest unfinished offset', () => {
    const t = new OffsetTracker();
    expect(t.committable()).toBeUndefined();
    for (const o of ['10', '11', '12']) t.start(o);
    t.finish('11');
    t.finish('12');
    expect(t.committable()).toBe('10');
    t.finish('10');
    expect(t.committable()).toBe('13');
    expect(t.pending).toBe(0);
  });

  it('commits each partition of a consumer up to its own lowest unfinished offset', () => {
    const offsets = new PartitionOffsets();
    offsets.of('a', 0).start('5');
    offsets.of('a', 0).start('6');
    offsets.of('a', 0).finish('6');
    offsets.of('b', 2).start('9');
    offsets.of('b', 2).finish('9');
    expect(offsets.committable()).toEqual([{ topic: 'a', partition: 0, offset: '5' }, { topic: 'b', partition: 2, offset: '10' }]);
    offsets.clear();
    expect(offsets.committable()).toEqual([]);
  });

  it('counts pending offsets and stays right across many records', () => {
    const t = new OffsetTracker();
    for (let o = 0; o < 10_000; o++) t.start(String(o));
    // Finish all but 5,000 and 9,999, out of order.
    for (let o = 9_998; o >= 0; o--) if (o !== 5_000) t.finish(String(o));
    expect(t.pending).toBe(2);
    expect(t.committable()).toBe('5000');
    t.finish('5000');
    expect(t.committable()).toBe('9999');
    expect(t.pending).toBe(1);
    t.finish('9999');
    expect(t.committable()).toBe('10000');
  });

  it('runs one key in order and other keys concurrently', async () => {
    const errors: unknown[] = [];
    const lanes = new KeyedLanes((e) => errors.push(e));
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      await sleep(ms);
      log.push(name);
    };
    lanes.run('a', task('a1', 40));
    lanes.run('a', task('a2', 1));
    lanes.run('b', task('b1', 5));
    expect(lanes.activeKeys).toBe(2);
    await lanes.drain();
    expect(log).toEqual(['b1', 'a1', 'a2']);
    expect(lanes.activeKeys).toBe(0);
    expect(errors).toEqual([]);
  });

  it('reports a failed task and goes on with the key', async () => {
    const errors: unknown[] = [];
    const lanes = new KeyedLanes((e) => errors.push(e));
    const log: string[] = [];
    lanes.run('a', async () => {
      throw new Error('boom');
    });
    lanes.run('a', () => {
      throw new Error('sync boom');
    });
    lanes.run('a', async () => {
      log.push('after');
    });
    await lanes.drain();
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom', 'sync boom']);
    expect(log).toEqual(['after']);
  });

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
});

describe('circuit breaker', () => {
  it('opens after the threshold of retryable failures in a row, per webhook, and a success closes it', () => {
    const b = new Breakers(3);
    expect([b.record(1, 'retryable'), b.record(1, 'retryable')]).toEqual([undefined, undefined]);
    expect(b.isOpen(1)).toBe(false);
    expect(b.record(1, 'retryable')).toBe('opened');
    expect(b.isOpen(1)).toBe(true);
    expect(b.isOpen(2)).toBe(false);
    expect(b.record(1, 'retryable')).toBeUndefined();
    expect(b.record(1, 'success')).toBe('closed');
    expect(b.isOpen(1)).toBe(false);
  });

  it('is not moved by permanent failures, and a success resets the count', () => {
    const b = new Breakers(2);
    b.record(1, 'retryable');
    expect(b.record(1, 'permanent')).toBeUndefined();
    expect(b.record(1, 'success')).toBeUndefined();
    b.record(1, 'retryable');
    expect(b.isOpen(1)).toBe(false);
  });
});

describe('alert e-mail', () => {
  const notice = (contractId: number): FailureNotice => ({
    webhookId: 3, webhookName: 'Watch', url: 'https://apiweb.watch.tv.br/api/voalle/contrato', emails: ['a@x.com'],
    contractId, eventId: `evt-${contractId}`, attempts: 15, lastError: 'HTTP 503', at: new Date('2026-11-29T12:00:00Z'),
  });
  it('names the webhook, URL, contract, attempts and last error, in Portuguese', () => {
    const { subject, text } = renderDigest([notice(42)]);
    expect(subject).toBe('[Reativa] Webhook "Watch": 1 envio atingiu o limite de tentativas');
    expect(text).toContain('Url: https://apiweb.watch.tv.br/api/voalle/contrato');
    expect(text).toContain('- Contrato 42: 15 tentativas, último erro: HTTP 503');
  });
  it('counts a burst in one e-mail', () => {
    const { subject, text } = renderDigest(Array.from({ length: 25 }, (_, i) => notice(i)));
    expect(subject).toContain('25 envios atingiram');
    expect(text).toContain('… e mais 5 envios.');
  });
});
