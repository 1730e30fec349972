// The retry schedule, pure. Attempt n (1-based: attempt 1 is the first send)
// that fails retryably waits schedule[n-1] (the last step repeats) before
// attempt n+1, in retry topic reativa.deliveries.retry.<i> for the step i of
// that delay; a partner's Retry-After replaces the planned delay, bounded to
// [minRetryAfterMs, maxRetryAfterMs].
// The webhook's max_attempts (Limite de Tentativas) caps the total.

export interface RetrySchedule {
  /** Delay before each retry, in ms; the last step repeats. */
  readonly delaysMs: readonly number[];
  readonly minRetryAfterMs: number;
  readonly maxRetryAfterMs: number;
}

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

/**
 * 10 s, 1 min, 5 min, 15 min, 30 min, 1 h, 2 h, then 2 h: the 15th attempt
 * within 24 hours (about 18 h) and the 30th within 48 hours (about 48 h less
 * 10 min), so the presets' limits (15, 30 Tentativas) are reached, and the
 * operators told, within a day or two. The first minutes absorb blips; a
 * partner down for longer is tried every 2 h. A Retry-After is capped at the
 * last step, so the record at a retry topic's head never waits longer than
 * its step.
 */
export const DEFAULT_SCHEDULE: RetrySchedule = {
  delaysMs: [10 * S, 1 * MIN, 5 * MIN, 15 * MIN, 30 * MIN, 1 * H, 2 * H],
  minRetryAfterMs: 1 * S,
  maxRetryAfterMs: 2 * H,
};

/** How long after the first send attempt `attempt` (1-based) is made, when every attempt before it fails retryably without Retry-After. */
export function elapsedBeforeAttempt(schedule: RetrySchedule, attempt: number): number {
  let elapsed = 0;
  for (let n = 1; n < attempt; n++) elapsed += schedule.delaysMs[Math.min(n, schedule.delaysMs.length) - 1]!;
  return elapsed;
}

export type RetryDecision =
  | { readonly retry: true; readonly attempt: number; readonly retryTopicIndex: number; readonly dueAt: number }
  | { readonly retry: false; readonly reason: 'attempts_exhausted' };

/** After attempt `attempt` failed retryably: when, and through which retry topic, to try again. */
export function nextRetry(schedule: RetrySchedule, attempt: number, maxAttempts: number, now: number, retryAfterMs: number | null = null): RetryDecision {
  if (attempt >= maxAttempts) return { retry: false, reason: 'attempts_exhausted' };
  const steps = schedule.delaysMs.length;
  const planned = schedule.delaysMs[Math.min(attempt, steps) - 1]!;
  const delay = retryAfterMs === null ? planned : Math.min(schedule.maxRetryAfterMs, Math.max(schedule.minRetryAfterMs, retryAfterMs));
  // Each retry topic holds one delay step; a delay goes to the first step at least as long,
  // so the record at a partition's head never waits longer than its topic's step.
  const found = schedule.delaysMs.findIndex((d) => d >= delay);
  const retryTopicIndex = found === -1 ? steps : found + 1;
  return { retry: true, attempt: attempt + 1, retryTopicIndex, dueAt: now + delay };
}
