import { describe, expect, it } from 'vitest';
import { OffsetTracker, PartitionOffsets } from '../../../src/delivery/offsets.js';

describe('offsets', () => {
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

  it('counts the read-ahead of all partitions together, work of partitions cleared by a rebalance included until it settles', () => {
    const offsets = new PartitionOffsets();
    offsets.of('a', 0).start('1');
    offsets.of('a', 1).start('1');
    offsets.of('b', 0).start('7');
    expect(offsets.pending.value).toBe(3);
    const moved = offsets.of('a', 1);
    offsets.clear();
    expect(offsets.pending.value).toBe(3);
    moved.finish('1');
    // Dropped unstarted on a hand-over: no longer pending, and its offset is never committed past.
    const handedOver = offsets.of('b', 0);
    handedOver.abandon();
    expect(offsets.pending.value).toBe(1);
    offsets.of('a', 0).finish('1');
    expect(offsets.pending.value).toBe(0);
  });
});
