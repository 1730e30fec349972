// The parking rules (ParkingPort, src/delivery/ports.ts) against the real
// reativa database, and the same contract against the in-memory fake the
// worker's unit tests use, so the two cannot drift apart. Keys are the test's
// own; two stores over one database stand for two delivery processes.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ParkingStore } from '../../src/db/parking.js';
import type { ParkingPort } from '../../src/delivery/ports.js';
import { settings, unique } from '../support/harness.js';
import { MemoryParking } from '../support/memory-parking.js';

const pool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 6 });
afterAll(async () => {
  await pool.query("DELETE FROM reativa.parked_keys WHERE namespace LIKE 'test-parking-ns-%'");
  await pool.end();
});

const rec = (id: string) => Buffer.from(`record of ${id}`);

function contract(name: string, make: () => { a: ParkingPort; b: ParkingPort }) {
  describe(`parking rules: ${name}`, () => {
    it('parks a free key behind its head; later deliveries queue once each, and leave in order, each becoming the head', async () => {
      const { a } = make();
      const key = unique('test-parking');
      expect(await a.park(key, 'd1', 2, rec('d1'), Date.now())).toBe('head');
      expect(await a.queueBehind(key, 'd2', rec('d2'))).toBe('queued');
      expect(await a.queueBehind(key, 'd2', rec('d2'))).toBe('queued');
      expect(await a.queueBehind(key, 'd3', rec('d3'))).toBe('queued');
      expect(await a.head(key)).toEqual({ deliveryId: 'd1', attempt: 2, state: 'waiting', record: rec('d1') });
      const second = await a.settle(key, 'd1', 2);
      expect(second).toEqual({ deliveryId: 'd2', attempt: 1, state: 'sending', record: rec('d2') });
      const third = await a.settle(key, 'd2', 1);
      expect(third?.deliveryId).toBe('d3');
      expect(await a.settle(key, 'd3', 1)).toBeNull();
      expect(await a.head(key)).toBeNull();
      expect(await a.queueBehind(key, 'd4', rec('d4'))).toBe('free');
    });

    it('answers a head read again as the head, and parks it again for a later attempt', async () => {
      const { a } = make();
      const key = unique('test-parking');
      await a.park(key, 'd1', 2, rec('d1'), Date.now());
      expect(await a.queueBehind(key, 'd1', rec('d1'))).toEqual({ head: { deliveryId: 'd1', attempt: 2, state: 'waiting', record: rec('d1') } });
      expect(await a.park(key, 'd1', 3, rec('d1'), Date.now())).toBe('head');
      expect((await a.head(key))?.attempt).toBe(3);
    });

    it('queues, instead of parking, a delivery whose key another process parked meanwhile', async () => {
      const { a, b } = make();
      const key = unique('test-parking');
      expect(await a.park(key, 'd2', 2, rec('d2'), Date.now())).toBe('head');
      expect(await b.park(key, 'd1', 2, rec('d1'), Date.now())).toBe('queued');
      expect((await a.head(key))?.deliveryId).toBe('d2');
    });

    it('moves the head by compare-and-set: of two processes holding the same retry record, one moves it on', async () => {
      const { a, b } = make();
      const key = unique('test-parking');
      await a.park(key, 'd1', 2, rec('d1'), Date.now());
      await a.queueBehind(key, 'd2', rec('d2'));
      const [x, y] = await Promise.all([a.advance(key, 'd1', 2, 3, Date.now()), b.advance(key, 'd1', 2, 3, Date.now())]);
      expect([x, y].filter(Boolean)).toHaveLength(1);
      const settled = await Promise.all([a.settle(key, 'd1', 3), b.settle(key, 'd1', 3)]);
      expect(settled.filter((h) => h !== null).map((h) => h.deliveryId)).toEqual(['d2']);
      expect(await a.settle(key, 'd1', 3)).toBeNull();
      expect((await b.head(key))?.deliveryId).toBe('d2');
    });

    it('lists heads overdue past their retry\'s due time, and revives one only while it is still the head', async () => {
      const { a } = make();
      const key = unique('test-parking');
      await a.park(key, 'd1', 4, rec('d1'), Date.now() - 30);
      expect((await a.stuck(3600_000, 3600_000, 1000)).some((s) => s.key === key)).toBe(false);
      const stuck = await a.stuck(10, 3600_000, 1000);
      expect(stuck.find((s) => s.key === key)?.head).toEqual({ deliveryId: 'd1', attempt: 4, state: 'waiting', record: rec('d1') });
      expect(await a.revive(key, 'd1', 4, 4, Date.now() + 60_000)).toBe(true);
      expect(await a.revive(key, 'd0', 4, 4, Date.now())).toBe(false);
      expect((await a.stuck(10, 3600_000, 1000)).some((s) => s.key === key)).toBe(false);
    });
  });
}

const namespace = unique('test-parking-ns');
contract('PostgreSQL', () => ({ a: new ParkingStore(pool, namespace), b: new ParkingStore(pool, namespace) }));

describe('parking in namespaces', () => {
  it('keeps each namespace\'s keys apart in one database', async () => {
    const [mine, theirs] = [new ParkingStore(pool, unique('test-parking-ns')), new ParkingStore(pool, unique('test-parking-ns'))];
    const key = unique('test-parking');
    await mine.park(key, 'd1', 2, rec('d1'), Date.now());
    expect(await theirs.head(key)).toBeNull();
    expect(await theirs.queueBehind(key, 'd2', rec('d2'))).toBe('free');
    expect((await theirs.all()).has(key)).toBe(false);
    expect((await mine.all()).has(key)).toBe(true);
  });
});
contract('in memory (the unit tests\' fake)', () => {
  const shared = new MemoryParking();
  return { a: shared, b: shared };
});

describe('parking under a backlog', () => {
  it("waits its turn for a connection instead of failing on the pool's connection timeout: hundreds of keys parked at once over two connections", async () => {
    // A pool whose queue gives up after 100 ms: hundreds of statements at once wait far longer for a connection.
    const small = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 2, connectionTimeoutMillis: 100 });
    try {
      const store = new ParkingStore(small, unique('test-parking-ns'));
      const keys = Array.from({ length: 400 }, () => unique('test-parking-backlog'));
      const outcomes = await Promise.all(keys.map((key) => store.park(key, 'd1', 2, rec('d1'), Date.now()).then((outcome) => store.head(key).then((head) => [outcome, head?.deliveryId]))));
      expect(outcomes.every(([outcome, head]) => outcome === 'head' && head === 'd1')).toBe(true);
      expect((await store.all()).size).toBe(keys.length);
    } finally {
      await small.end();
    }
  });
});
