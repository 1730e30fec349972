import { describe, expect, it } from 'vitest';
import { lagLines, lagRows, refuseBeyondHistory, replayLines, replayTarget } from '../../../src/cli/ops.js';
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

describe('lag', () => {
  const reports = [
    { stage: 'delivery' as const, groupId: 'reativa-delivery', state: 'Stable', members: 1, partitions: [{ topic: 'reativa.deliveries', partition: 0, committed: '10', end: '10', lag: 0 }, { topic: 'reativa.deliveries', partition: 1, committed: '4', end: '9', lag: 5 }] },
    { stage: 'delivery' as const, groupId: 'reativa-delivery-retry', state: 'Empty', members: 0, partitions: [{ topic: 'reativa.deliveries.retry.1', partition: 0, committed: null, end: '0', lag: 0 }] },
  ];

  it('prints every group with its total, and only partitions behind unless --all', () => {
    expect(lagLines(reports, false)).toEqual([
      'reativa-delivery (delivery, stable, 1 member(s)): lag 5',
      '  reativa.deliveries[1] committed 4 end 9 lag 5',
      'reativa-delivery-retry (delivery, empty, 0 member(s)): lag 0',
    ]);
    expect(lagLines(reports, true)).toHaveLength(5);
    expect(lagLines(reports, true)).toContain('  reativa.deliveries.retry.1[0] committed - end 0 lag 0');
  });

  it('gives --json one row per group and partition', () => {
    expect(lagRows(reports, false)).toEqual([{ group: 'reativa-delivery', stage: 'delivery', state: 'Stable', members: 1, topic: 'reativa.deliveries', partition: 1, committed: '4', end: '9', lag: 5 }]);
    expect(lagRows(reports, true).map((r) => r.group)).toEqual(['reativa-delivery', 'reativa-delivery', 'reativa-delivery-retry']);
  });
});

describe('replay', () => {
  it('takes exactly one target, named in the error when wrong', () => {
    expect(replayTarget({ toEarliest: true })).toEqual({ kind: 'earliest' });
    expect(replayTarget({ toDatetime: '2026-11-29T12:00:00Z' })).toEqual({ kind: 'datetime', at: NOW });
    expect(replayTarget({ toOffset: '0=5' })).toEqual({ kind: 'offsets', offsets: new Map([['*:0', '5']]) });
    expect(() => replayTarget({})).toThrow(/exactly one of/);
    expect(() => replayTarget({ toEarliest: true, toOffset: '0=1' })).toThrow(InputError);
    expect(() => replayTarget({ toDatetime: 'yesterday' })).toThrow(/--to-datetime/);
    expect(() => replayTarget({ toOffset: 'x' })).toThrow(InputError);
  });

  it('shows its plan, partition by partition', () => {
    expect(replayLines('reativa-routing', [{ topic: 'reativa.triggers', partition: 2, from: '40', to: '12' }, { topic: 'reativa.triggers', partition: 3, from: null, to: '0' }])).toEqual([
      'reativa-routing reativa.triggers[2]: 40 -> 12',
      'reativa-routing reativa.triggers[3]: (none) -> 0',
    ]);
  });
});
