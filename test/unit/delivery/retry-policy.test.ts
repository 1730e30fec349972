import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE, elapsedBeforeAttempt, nextRetry } from '../../../src/delivery/retry-policy.js';

const NOW = 1_000_000;

describe('retry policy', () => {
  it('follows 10 s, 1 min, 5 min, 15 min, 30 min, 1 h, 2 h, then 2 h', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempt) => {
      const d = nextRetry(DEFAULT_SCHEDULE, attempt, 30, NOW);
      return d.retry ? [d.dueAt - NOW, d.retryTopicIndex, d.attempt] : undefined;
    });
    expect(delays).toEqual([
      [10_000, 1, 2], [60_000, 2, 3], [300_000, 3, 4], [900_000, 4, 5], [1_800_000, 5, 6], [3_600_000, 6, 7], [7_200_000, 7, 8], [7_200_000, 7, 9], [7_200_000, 7, 10],
    ]);
  });

  it('reaches the 15th attempt within 24 hours and the 30th within 48 hours', () => {
    const H = 3600_000;
    expect(elapsedBeforeAttempt(DEFAULT_SCHEDULE, 1)).toBe(0);
    expect(elapsedBeforeAttempt(DEFAULT_SCHEDULE, 2)).toBe(10_000);
    expect(elapsedBeforeAttempt(DEFAULT_SCHEDULE, 15)).toBeLessThanOrEqual(24 * H);
    expect(elapsedBeforeAttempt(DEFAULT_SCHEDULE, 30)).toBeLessThanOrEqual(48 * H);
    // And not by giving up early: the 30th attempt is still more than a day and a half after the first.
    expect(elapsedBeforeAttempt(DEFAULT_SCHEDULE, 30)).toBeGreaterThan(36 * H);
  });

  it("stops at the webhook's max_attempts, counting the first send", () => {
    expect(nextRetry(DEFAULT_SCHEDULE, 4, 5, NOW).retry).toBe(true);
    expect(nextRetry(DEFAULT_SCHEDULE, 5, 5, NOW)).toEqual({ retry: false, reason: 'attempts_exhausted' });
    expect(nextRetry(DEFAULT_SCHEDULE, 1, 1, NOW).retry).toBe(false);
  });

  it('honours Retry-After within bounds, in the retry topic of the matching step', () => {
    expect(nextRetry(DEFAULT_SCHEDULE, 1, 5, NOW, 120_000)).toMatchObject({ dueAt: NOW + 120_000, retryTopicIndex: 3 });
    expect(nextRetry(DEFAULT_SCHEDULE, 1, 5, NOW, 0)).toMatchObject({ dueAt: NOW + 1000, retryTopicIndex: 1 });
    expect(nextRetry(DEFAULT_SCHEDULE, 1, 5, NOW, 48 * 3600_000)).toMatchObject({ dueAt: NOW + 2 * 3600_000, retryTopicIndex: 7 });
  });
});
