// The state store: every captured ERP row, versioned by its position in the
// change log, in an embedded LMDB database (lmdb-js). The mapper reads it "as
// of" a change's offset — the rows as they stood right after that change and
// before anything later — so a body is a function of the log up to its change
// and of nothing else: a deleted parent keeps its last image for the children
// that follow it, a backlog or a replay reads what was true then.
//
// Layout (LMDB named databases, ordered-binary keys):
//   latest    [table, primaryKey] → the row's newest version, with its offset (o): most
//             reads are as of a position at or after it, and then cost one get
//   versions  [table, primaryKey, offset] → { d: deleted?, t: commit time, r: row, p: the
//             offset of the version before }: the row's older versions, each moved here
//             when a newer one arrives, so every version is stored once (a row changed
//             once, a title issued, costs one entry, not two). Stores written before
//             2026-12-07 also hold each newest version here; reads never reach it (they
//             take the newest from latest) and a prune drops it.
//   children  [table, column, value, primaryKey] → the first offset the row had that value
//             (CHILD_INDEXES: a contract's services), so a read skips children linked later
//   meta      'appliedThrough' → the last log offset applied; 'storeId'; 'prunedBefore'
// Values of latest and versions are msgpack with shared structures (msgpackr's
// records, kept by lmdb-js under one key of each database, ahead of every row
// key): a table's column names are stored once, not in every version, which
// made the store 38 % smaller and the mapper faster (decoding a record is cheaper
// than a map; docs/benchmarks.md, "Mapper"). Versions written before
// 2026-12-08 are plain msgpack maps, which the same decoder still reads.
// A batch of changes and the new position commit in one LMDB transaction, so
// a crash (kill -9 included) never applies a change twice or skips one.
// Versions older than the history window are pruned, except the last one
// before it (the state at the window's start).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import type { Change, Row } from '../capture/envelope.js';
import { primaryKeyOf, type PrimaryKey, type RowVersion, type StateView } from '../mapping/state.js';

interface StoredVersion {
  /** 1 when this version is the row's delete (r is then its last image). */
  readonly d: 0 | 1;
  /** Commit time in the ERP (ms), for pruning by age. */
  readonly t: number;
  readonly r: Row;
  /** The offset of the row's version before this one (-1 for its first): reads walk back along it. */
  readonly p?: number;
}

type VersionKey = [string, PrimaryKey, number];
type RowKey = [string, PrimaryKey];
type LatestVersion = StoredVersion & { readonly o: number };
/** Where a prune goes on from: a row's key, or [] for the start. */
export type PruneCursor = RowKey | [];
type ChildKey = [string, string, PrimaryKey, PrimaryKey];

/** A change of the log at its offset. */
export interface LoggedChange {
  readonly offset: number;
  readonly change: Change;
}

export interface ChangeStoreOptions {
  /** Columns to index per table, for StateView.children. */
  readonly indexes: Readonly<Record<string, readonly string[]>>;
}

export class ChangeStore {
  private constructor(
    private readonly root: RootDatabase,
    private readonly versions: Database<StoredVersion, VersionKey>,
    private readonly latest: Database<LatestVersion, [string, PrimaryKey]>,
    private readonly childIndex: Database<number, ChildKey>,
    private readonly meta: Database<string | number, string>,
    private readonly indexes: Readonly<Record<string, readonly string[]>>,
    readonly path: string,
  ) {}

  static open(path: string, options: ChangeStoreOptions): ChangeStore {
    fs.mkdirSync(path, { recursive: true });
    const root = open({ path, maxDbs: 5, compression: false, noSubdir: false });
    const structured = { sharedStructuresKey: STRUCTURES };
    const store = new ChangeStore(
      root,
      root.openDB<StoredVersion, VersionKey>({ name: 'versions', ...structured }),
      root.openDB<LatestVersion, [string, PrimaryKey]>({ name: 'latest', ...structured }),
      root.openDB<number, ChildKey>({ name: 'children' }),
      root.openDB<string | number, string>({ name: 'meta' }),
      options.indexes,
      path,
    );
    if (store.meta.get('storeId') === undefined) root.transactionSync(() => store.meta.putSync('storeId', randomUUID()));
    return store;
  }

  /** The last log offset whose change is in the store; -1 for an empty store. */
  get appliedThrough(): number {
    return (this.meta.get('appliedThrough') as number | undefined) ?? -1;
  }

  /** Tells this store from any other: a rebuilt store is a new one. */
  get storeId(): string {
    return String(this.meta.get('storeId'));
  }

  /** Versions older than this commit time (ms) have been pruned: replays cannot start before it. */
  get prunedBefore(): number {
    return (this.meta.get('prunedBefore') as number | undefined) ?? 0;
  }

  /**
   * Applies changes of the log, in offset order, and moves the position to
   * `through` (the last offset read, whether it carried a change or not), in
   * one transaction. Offsets the store already holds are skipped, so a batch
   * read twice is applied once. Returns how many changes were applied.
   */
  apply(changes: readonly LoggedChange[], through: number): number {
    return this.root.transactionSync(() => {
      const from = this.appliedThrough;
      if (through <= from) return 0;
      let applied = 0;
      for (const { offset, change } of changes) {
        if (offset <= from) continue;
        if (this.put(offset, change)) applied += 1;
      }
      this.meta.putSync('appliedThrough', through);
      return applied;
    });
  }

  private put(offset: number, change: Change): boolean {
    const deleted = change.op === 'd';
    const row = deleted ? change.before : change.after;
    if (!row) return false;
    const key = primaryKeyOf(change.key ?? { id: row.id });
    const newest = this.latest.get([change.table, key]);
    if (newest) {
      // The newest version so far becomes an older one.
      const { o, ...older } = newest;
      this.versions.putSync([change.table, key, o], older);
    }
    this.latest.putSync([change.table, key], { d: deleted ? 1 : 0, t: change.committedAt, r: row, p: newest?.o ?? -1, o: offset });
    for (const column of this.indexes[change.table] ?? []) {
      const value = row[column];
      if (typeof value !== 'number' && typeof value !== 'string') continue;
      const indexKey: ChildKey = [change.table, column, value, key];
      if (this.childIndex.get(indexKey) === undefined) this.childIndex.putSync(indexKey, offset);
    }
    return true;
  }

  /** The state as it stood right after the change at `offset`. */
  asOf(offset: number): StateView {
    return this.reader().asOf(offset);
  }

  /**
   * Views of the state as of any offset, sharing what they read: the newest
   * version of each row looked up once. Valid for reads as of offsets the
   * store held when it was made: whatever is applied later lies past them (the
   * mapper makes one per batch, whose changes are all in the store).
   */
  reader(): { asOf(offset: number): StateView } {
    const newest = new Map<string, LatestVersion | null>();
    const latestOf = (table: string, key: PrimaryKey): LatestVersion | null => {
      const id = `${table}\u0000${key}`;
      let found = newest.get(id);
      if (found === undefined) newest.set(id, (found = this.latest.get([table, key]) ?? null));
      return found;
    };
    const versionAt = (table: string, key: PrimaryKey, offset: number): RowVersion | undefined => {
      const last = latestOf(table, key);
      if (!last) return undefined;
      const seen = this.versionSeen(table, key, last, offset);
      return seen && { row: seen.r, deleted: seen.d === 1 };
    };
    // One change asks for a contract's services several times (one body per trigger kind).
    const childrenSeen = new Map<string, Row[]>();
    return {
      asOf: (offset) => ({
        get: (table, key) => versionAt(table, key, offset),
        children: (table, column, value) => {
          const id = `${table}\u0000${column}\u0000${value}\u0000${offset}`;
          const seen = childrenSeen.get(id);
          if (seen) return seen;
          const rows: Row[] = [];
          for (const { key, value: linkedAt } of this.childIndex.getRange({ start: [table, column, value], end: [table, column, value, MAX_KEY] })) {
            if (linkedAt > offset) continue;
            const version = versionAt(table, key[3], offset);
            if (version && !version.deleted && version.row[column] === value) rows.push(version.row);
          }
          childrenSeen.set(id, rows);
          return rows;
        },
      }),
    };
  }

  /**
   * The version of a row that a read as of `offset` sees, given its newest
   * (`last`); undefined when the row did not exist yet (or that version was pruned).
   */
  private versionSeen(table: string, key: PrimaryKey, last: LatestVersion, offset: number): StoredVersion | undefined {
    if (last.o <= offset) return last;
    // Later versions exist: walk back to the one the offset saw (usually a step or two).
    let previous = last.p;
    while (previous !== undefined && previous > offset) previous = this.versions.get([table, key, previous])?.p;
    if (previous !== undefined && previous < 0) return undefined;
    const seen = previous === undefined ? undefined : this.versions.get([table, key, previous]);
    if (seen) return seen;
    // A store written before versions were chained, or a chain broken by a prune: find it by range.
    for (const { value } of this.versions.getRange({ start: [table, key, offset], end: [table, key, -1], reverse: true, limit: 1 })) return value;
    return undefined;
  }

  /** Every row of `table` as it stood right after `offset` (deleted ones left out), with its commit time. */
  *rowsAsOf(table: string, offset: number): Generator<{ key: PrimaryKey; row: Row; committedAt: number }> {
    for (const { key, value } of this.latest.getRange({ start: [table], end: [table, MAX_KEY] })) {
      const seen = this.versionSeen(table, key[1], value, offset);
      if (seen && seen.d === 0) yield { key: key[1], row: seen.r, committedAt: seen.t };
    }
  }

  /**
   * The newest version of every row of `table` (a deleted row's last image
   * included, marked), with its commit time: what is true now rather than as
   * of a change, for post-due collection, which runs on the clock.
   */
  *newest(table: string): Generator<{ key: PrimaryKey; row: Row; deleted: boolean; committedAt: number }> {
    for (const { key, value } of this.latest.getRange({ start: [table], end: [table, MAX_KEY] })) {
      yield { key: key[1], row: value.r, deleted: value.d === 1, committedAt: value.t };
    }
  }

  /** The newest version of one row, with its commit time; undefined when the store never held it (or pruned it). */
  newestOf(table: string, key: PrimaryKey): { row: Row; deleted: boolean; committedAt: number } | undefined {
    const value = this.latest.get([table, key]);
    return value && { row: value.r, deleted: value.d === 1, committedAt: value.t };
  }

  /** Rows of `table` that exist now (their last version is not a delete): for tests, metrics and operators. */
  liveRows(table: string): number {
    let count = 0;
    for (const { value } of this.latest.getRange({ start: [table], end: [table, MAX_KEY] })) if (value.d === 0) count += 1;
    return count;
  }

  /** Entries held (row versions, newest and older, and index entries), for the state-store size metric. */
  get entries(): number {
    // Less the shared structures' entry, which is not a row.
    const count = (db: Database<unknown, Key>) => (db.getStats() as { entryCount: number }).entryCount - (db.doesExist(STRUCTURES) ? 1 : 0);
    return count(this.latest) + count(this.versions) + count(this.childIndex);
  }

  /**
   * Drops versions committed before `before` (ms), except each row's last one
   * before it — the state at the window's start — unless that one is a delete.
   * Works through the store `batchKeys` rows per transaction, so writers are
   * never held up for long. Returns the versions removed.
   */
  prune(before: number, batchKeys = 5000): number {
    let removed = 0;
    let start: PruneCursor = [];
    for (;;) {
      const step = this.pruneStep(before, start, batchKeys);
      removed += step.removed;
      if (!step.next) break;
      start = step.next;
    }
    return removed;
  }

  /**
   * One step of a prune, `batchKeys` rows in one transaction, from `start`:
   * callers on an event loop run the steps apart so nothing waits long.
   */
  pruneStep(before: number, start: PruneCursor, batchKeys = 5000): { removed: number; next: PruneCursor | undefined } {
    const { removedHere, next } = this.root.transactionSync(() => this.pruneSome(before, start, batchKeys));
    if (!next) this.root.transactionSync(() => this.meta.putSync('prunedBefore', Math.max(before, this.prunedBefore)));
    return { removed: removedHere, next };
  }

  private pruneSome(before: number, start: PruneCursor, batchKeys: number): { removedHere: number; next: RowKey | undefined } {
    // The rows of this step, read before any is changed.
    const rows: { key: RowKey; newest: LatestVersion }[] = [];
    let next: RowKey | undefined;
    for (const { key, value } of this.latest.getRange({ start })) {
      if (!Array.isArray(key)) continue; // the shared structures' entry, which sorts first
      if (rows.length === batchKeys) {
        next = key;
        break;
      }
      rows.push({ key, newest: value });
    }
    let removedHere = 0;
    for (const { key: [table, key], newest } of rows) {
      // The row's versions, oldest first, the newest last.
      const all: { readonly offset: number; readonly version: StoredVersion }[] = [];
      for (const entry of this.versions.getRange({ start: [table, key], end: [table, key, MAX_KEY] })) {
        // A store written before 2026-12-07 holds the newest version here too: a duplicate of latest's.
        if (entry.key[2] >= newest.o) this.versions.removeSync(entry.key);
        else all.push({ offset: entry.key[2], version: entry.value });
      }
      all.push({ offset: newest.o, version: newest });
      // Keep those inside the window and the last one before it, unless the row ended before it (a delete).
      const old = all.filter((v) => v.version.t < before);
      const keepLastOld = old.length > 0 && old.length === all.length ? old[old.length - 1]!.version.d === 0 : old.length > 0;
      const drop = keepLastOld ? old.slice(0, -1) : old;
      for (const v of drop) {
        if (v.offset === newest.o) this.latest.removeSync([table, key]);
        else this.versions.removeSync([table, key, v.offset]);
        removedHere += 1;
      }
      if (drop.length === all.length) {
        // The row is gone for good: so are its index entries.
        for (const v of drop) for (const column of this.indexes[table] ?? []) {
          const value = v.version.r[column];
          if (typeof value === 'number' || typeof value === 'string') this.childIndex.removeSync([table, column, value, key]);
        }
      }
    }
    return { removedHere, next };
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

/** Where lmdb-js keeps a database's shared structures (a symbol: it sorts before every array key). */
const STRUCTURES = Symbol.for('structures');

/** Sorts after every number and string in ordered-binary: the end of a key prefix range. */
const MAX_KEY = '\uffff';
