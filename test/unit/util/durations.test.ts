import { describe, expect, it } from 'vitest';
import { parseDuration, parseDurationList } from '../../../src/util/durations.js';

describe('durations', () => {
  it('parses a schedule and names a bad step', () => {
    expect(parseDurationList('200ms, 1s,5m,2h')).toEqual([200, 1000, 300_000, 7_200_000]);
    expect(() => parseDurationList('10s,soon')).toThrow(/"soon" is not a duration/);
  });

  it('reads days and milliseconds, and refuses a number without a unit', () => {
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration(' 250ms ')).toBe(250);
    expect(() => parseDuration('10')).toThrow(/"10" is not a duration/);
  });
});
