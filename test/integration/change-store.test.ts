// The state store on a real LMDB database: versions by log offset, reads as of
// a position, children, atomic batches, pruning.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change, Row } from '../../src/capture/envelope.js';
import { ChangeStore } from '../../src/state/change-store.js';

const dirs: string[] = [];
const stores: ChangeStore[] = [];
function store(): ChangeStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reativa-store-'));
  dirs.push(dir);
  const s = ChangeStore.open(dir, { indexes: { contract_services: ['contract_id'] } });
  stores.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const change = (table: string, op: Change['op'], row: Row, committedAt = 1000, before: Row | null = null): Change => ({
  op, schema: 'public', table, before: op === 'd' ? row : before, after: op === 'd' ? null : row, key: { id: row.id }, committedAt, lsn: null, txId: null, snapshot: op === 'r',
});

describe('change store', () => {
  it('reads each row as it stood right after a given offset', () => {
    const s = store();
    s.apply([
      { offset: 10, change: change('contracts', 'c', { id: 1, status: 'normal' }) },
      { offset: 11, change: change('contracts', 'u', { id: 1, status: 'suspended' }) },
      { offset: 13, change: change('contracts', 'd', { id: 1, status: 'suspended' }) },
    ], 13);
    expect(s.appliedThrough).toBe(13);
    expect(s.asOf(9).get('contracts', 1)).toBeUndefined();
    expect(s.asOf(10).get('contracts', 1)).toEqual({ row: { id: 1, status: 'normal' }, deleted: false });
    expect(s.asOf(12).get('contracts', 1)).toEqual({ row: { id: 1, status: 'suspended' }, deleted: false });
    // A deleted row keeps its last image for the children that follow it.
    expect(s.asOf(99).get('contracts', 1)).toEqual({ row: { id: 1, status: 'suspended' }, deleted: true });
    expect(s.liveRows('contracts')).toBe(0);
  });

  it("lists children as of a position: a contract's services", () => {
    const s = store();
    s.apply([
      { offset: 1, change: change('contract_services', 'c', { id: 5, contract_id: 100 }) },
      { offset: 2, change: change('contract_services', 'c', { id: 6, contract_id: 100 }) },
      { offset: 3, change: change('contract_services', 'u', { id: 6, contract_id: 200 }) },
      { offset: 4, change: change('contract_services', 'd', { id: 5, contract_id: 100 }) },
    ], 4);
    const ids = (offset: number, contract: number) => s.asOf(offset).children('contract_services', 'contract_id', contract).map((r) => r.id);
    expect(ids(2, 100)).toEqual([5, 6]);
    expect(ids(3, 100)).toEqual([5]);
    expect(ids(3, 200)).toEqual([6]);
    expect(ids(4, 100)).toEqual([]);
  });

  it('applies a batch once: offsets it already holds are skipped, and the position only moves forward', () => {
    const s = store();
    expect(s.apply([{ offset: 1, change: change('people', 'c', { id: 1, name: 'a' }) }], 5)).toBe(1);
    expect(s.apply([{ offset: 1, change: change('people', 'u', { id: 1, name: 'b' }) }, { offset: 6, change: change('people', 'u', { id: 1, name: 'c' }) }], 6)).toBe(1);
    expect(s.asOf(5).get('people', 1)?.row.name).toBe('a');
    expect(s.apply([], 3)).toBe(0);
    expect(s.appliedThrough).toBe(6);
  });

  it('prunes versions older than the window but keeps the state at its start, and forgets rows deleted before it', () => {
    const s = store();
    s.apply([
      { offset: 1, change: change('contracts', 'c', { id: 1, v: 1 }, 100) },
      { offset: 2, change: change('contracts', 'u', { id: 1, v: 2 }, 200) },
      { offset: 3, change: change('contracts', 'u', { id: 1, v: 3 }, 900) },
      { offset: 4, change: change('contract_services', 'c', { id: 7, contract_id: 1 }, 100) },
      { offset: 5, change: change('contract_services', 'd', { id: 7, contract_id: 1 }, 200) },
    ], 5);
    expect(s.prune(500, 1)).toBe(3);
    expect(s.asOf(3).get('contracts', 1)?.row.v).toBe(3);
    expect(s.asOf(2).get('contracts', 1)?.row.v).toBe(2);
    expect(s.asOf(1).get('contracts', 1)).toBeUndefined();
    expect(s.asOf(5).get('contract_services', 7)).toBeUndefined();
    expect(s.prunedBefore).toBe(500);
  });

  it('stores each version once: the newest in latest, older ones moved to versions as newer ones arrive', () => {
    const s = store();
    s.apply([
      { offset: 1, change: change('titles', 'c', { id: 1, v: 1 }) },
      { offset: 2, change: change('titles', 'c', { id: 2, v: 1 }) },
      { offset: 3, change: change('titles', 'u', { id: 1, v: 2 }) },
      { offset: 4, change: change('titles', 'u', { id: 1, v: 3 }) },
    ], 4);
    // Four versions of two rows: four entries, not six.
    expect(s.entries).toBe(4);
    expect([1, 2, 3, 4].map((o) => s.asOf(o).get('titles', 1)?.row.v)).toEqual([1, 1, 2, 3]);
    const rowsAt = (o: number) => [...s.rowsAsOf('titles', o)].map((r) => [r.key, r.row.v, r.committedAt]);
    expect(rowsAt(0)).toEqual([]);
    expect(rowsAt(1)).toEqual([[1, 1, 1000]]);
    expect(rowsAt(3)).toEqual([[1, 2, 1000], [2, 1, 1000]]);
    expect(rowsAt(9)).toEqual([[1, 3, 1000], [2, 1, 1000]]);
  });

  it('reads a store written before that layout (the newest also in versions) the same, and a prune drops the duplicates', () => {
    const s = store();
    s.apply([
      { offset: 1, change: change('contracts', 'c', { id: 1, v: 1 }, 100) },
      { offset: 2, change: change('contracts', 'u', { id: 1, v: 2 }, 900) },
      { offset: 3, change: change('contracts', 'c', { id: 2, v: 1 }, 100) },
    ], 3);
    // What the earlier layout also wrote: each row's newest version in versions.
    const versions = (s as unknown as { versions: { putSync(key: unknown[], value: unknown): void } }).versions;
    versions.putSync(['contracts', 1, 2], { d: 0, t: 900, r: { id: 1, v: 2 }, p: 1 });
    versions.putSync(['contracts', 2, 3], { d: 0, t: 100, r: { id: 2, v: 1 }, p: -1 });
    expect(s.asOf(1).get('contracts', 1)?.row.v).toBe(1);
    expect(s.asOf(3).get('contracts', 1)?.row.v).toBe(2);
    expect([...s.rowsAsOf('contracts', 3)].map((r) => r.row.v)).toEqual([2, 1]);
    expect(s.liveRows('contracts')).toBe(2);
    // Nothing is old enough to prune; the two duplicates go all the same.
    expect(s.prune(50)).toBe(0);
    expect(s.entries).toBe(3);
    // A row updated after the old layout: its newest moves to versions, overwriting the duplicate.
    versions.putSync(['contracts', 2, 3], { d: 0, t: 100, r: { id: 2, v: 1 }, p: -1 });
    s.apply([{ offset: 4, change: change('contracts', 'u', { id: 2, v: 2 }, 950) }], 4);
    expect([3, 4].map((o) => s.asOf(o).get('contracts', 2)?.row.v)).toEqual([1, 2]);
    expect(s.entries).toBe(4);
  });

  it('prunes row by row across steps: a row deleted before the window goes whole, its newest version included', () => {
    const s = store();
    s.apply([
      { offset: 1, change: change('contract_services', 'c', { id: 1, contract_id: 9 }, 100) },
      { offset: 2, change: change('contract_services', 'd', { id: 1, contract_id: 9 }, 200) },
      { offset: 3, change: change('contract_services', 'c', { id: 2, contract_id: 9 }, 100) },
      { offset: 4, change: change('contract_services', 'c', { id: 3, contract_id: 9 }, 100) },
      { offset: 5, change: change('contract_services', 'u', { id: 3, contract_id: 9, x: 1 }, 300) },
    ], 5);
    expect(s.asOf(5).children('contract_services', 'contract_id', 9).map((r) => r.id)).toEqual([2, 3]);
    // Row 1: both versions; row 2: its only version stays (the state at the window's start); row 3: its first version.
    expect(s.prune(1000, 1)).toBe(3);
    expect(s.entries).toBe(2 + 2);
    expect(s.asOf(5).get('contract_services', 1)).toBeUndefined();
    expect(s.asOf(5).children('contract_services', 'contract_id', 9).map((r) => r.id)).toEqual([2, 3]);
    expect(s.asOf(5).get('contract_services', 3)?.row.x).toBe(1);
  });

  it('reads a store written before shared structures (plain msgpack maps) and goes on writing to it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reativa-store-'));
    dirs.push(dir);
    // What a store of 2026-12-07 held: values without shared structures.
    const old = open({ path: dir, maxDbs: 5, compression: false });
    const latest = old.openDB({ name: 'latest' });
    old.transactionSync(() => {
      latest.putSync(['contracts', 1], { d: 0, t: 100, r: { id: 1, status: 'normal' }, p: -1, o: 1 });
      old.openDB({ name: 'meta' }).putSync('appliedThrough', 1);
    });
    await old.close();
    const s = ChangeStore.open(dir, { indexes: {} });
    stores.push(s);
    expect(s.asOf(1).get('contracts', 1)).toEqual({ row: { id: 1, status: 'normal' }, deleted: false });
    s.apply([{ offset: 2, change: change('contracts', 'u', { id: 1, status: 'suspended' }, 200) }], 2);
    expect([1, 2].map((o) => s.asOf(o).get('contracts', 1)?.row.status)).toEqual(['normal', 'suspended']);
    expect(s.entries).toBe(2);
    expect(s.liveRows('contracts')).toBe(1);
    expect(s.prune(250)).toBe(1);
    expect(s.asOf(2).get('contracts', 1)?.row.status).toBe('suspended');
  });

  it('keeps its identity and position across a reopen', async () => {
    const s = store();
    s.apply([{ offset: 3, change: change('people', 'r', { id: 9 }) }], 3);
    const { path: dir, storeId } = { path: s.path, storeId: s.storeId };
    await s.close();
    stores.splice(stores.indexOf(s), 1);
    const again = ChangeStore.open(dir, { indexes: {} });
    stores.push(again);
    expect([again.storeId, again.appliedThrough]).toEqual([storeId, 3]);
    expect(again.liveRows('people')).toBe(1);
  });
});
