import { describe, expect, it } from 'vitest';
import { refuseBeyondHistory } from '../../../src/cli/ops.js';
import { InputError } from '../../../src/errors/input-error.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-29T12:00:00Z');

describe('replay of the mapper', () => {
  it('reaches back as far as the state store keeps history, and no further', () => {
    expect(() => refuseBeyondHistory({ kind: 'datetime', at: NOW - 6 * DAY }, 7 * DAY, NOW)).not.toThrow();
    expect(() => refuseBeyondHistory({ kind: 'datetime', at: NOW - 8 * DAY }, 7 * DAY, NOW)).toThrow(InputError);
    expect(() => refuseBeyondHistory({ kind: 'earliest' }, 7 * DAY, NOW)).toThrow(/REATIVA_CHANGE_LOG_HISTORY/);
    expect(() => refuseBeyondHistory({ kind: 'offsets', offsets: new Map([['*:0', '10']]) }, 7 * DAY, NOW)).not.toThrow();
  });
});
