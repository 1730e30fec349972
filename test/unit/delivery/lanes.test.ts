import { describe, expect, it } from 'vitest';
import { KeyedLanes } from '../../../src/delivery/lanes.js';
import { sleep } from '../../../src/util/wait.js';

describe('keyed lanes', () => {
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
});
