// The attempt log: every delivery attempt (time, status, latency, error, a
// response excerpt of at most 2 KB, never a header or a token), buffered and
// written with COPY off the hot path, with a retention sweep.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { AttemptLogPort, AttemptRecord } from '../delivery/ports.js';
import type { Logger } from '../log.js';
import { yieldToEventLoop } from '../util/yield.js';

export type { AttemptRecord };

export interface SweepResult {
  readonly deleted: number;
  readonly batches: number;
}

/**
 * One step of the retention sweep: the next `$3` rows by id after `$1`, and
 * of those, the ones attempted before `$2` deleted. Returns the last id read
 * and how many were deleted.
 *
 * Why walk the primary key, in small batches, rather than one DELETE or
 * partitions: one DELETE of an hour's rows at volume outlived the pool's 10 s
 * statement timeout every hour, so nothing was ever deleted. Batches of a few
 * thousand rows are short transactions (each well under the timeout, locks
 * held briefly, autovacuum keeps up between sweeps). Ids are handed out in
 * write order and rows are written within seconds of their attempt, so the
 * expired rows are the lowest ids: each batch reads the next rows through the
 * B-tree, every row at most once per sweep, and the sweep stops at the first
 * batch with nothing expired. Selecting by `attempted_at` through the BRIN
 * index (`ctid IN (SELECT ctid … WHERE attempted_at < … LIMIT n)`) measured
 * about as fast on a fresh table, but BRIN summaries only ever widen: once
 * vacuum hands freed pages to new rows, every block range claims old rows, and
 * each batch rescans the table from its start. Daily partitions would make
 * retention a DROP, but converting a large live table (its primary key must
 * take attempted_at) and keeping partitions ahead is more moving parts than
 * this needs. A row written out of order (the log's buffer kept through a
 * database outage) goes with its neighbours by id, as much later as the outage lasted.
 */
const SWEEP_BATCH = `
  WITH batch AS (
    SELECT id, attempted_at < $2 AS expired FROM reativa.delivery_attempts WHERE id > $1 ORDER BY id LIMIT $3
  ), gone AS (
    DELETE FROM reativa.delivery_attempts WHERE id IN (SELECT id FROM batch WHERE expired) RETURNING 1
  )
  SELECT (SELECT max(id) FROM batch)::text AS last, (SELECT count(*) FROM gone)::int AS deleted`;

/** Below every id, so the walk starts at the lowest. */
const BEFORE_EVERY_ID = '-9223372036854775808';

const HOUR_MS = 3600_000;


const COLUMNS = ['delivery_id', 'event_id', 'webhook_id', 'contract_id', 'attempt', 'attempted_at', 'outcome', 'status', 'latency_ms', 'error', 'response_excerpt'];

/** A value in COPY's text format: \N for null; backslash, tab, newline and CR escaped; NUL (which text cannot hold) dropped. */
function copyText(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]!) : value;
}
const SPECIAL = /[\\\t\n\r\0]/;
const SPECIALS = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '' };

/** One attempt as a line of COPY text, columns in COLUMNS order. */
export function copyLine(a: AttemptRecord): string {
  return `${copyText(a.deliveryId)}\t${copyText(a.eventId)}\t${a.webhookId}\t${copyText(a.contractId)}\t${a.attempt}\t${a.attemptedAt.toISOString()}\t${a.outcome}\t${copyText(a.status)}\t${Math.round(a.latencyMs)}\t${copyText(a.error)}\t${copyText(a.responseExcerpt)}\n`;
}

export class AttemptLog implements AttemptLogPort {
  private buffer: AttemptRecord[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly sweeper: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;
  private sweeping: Promise<SweepResult> | undefined;
  private closing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly retentionDays = 30,
    private readonly flushEveryMs = 1000,
    private readonly maxBatch = 2000,
    private readonly sweepBatch = 5000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.sweeper = setInterval(() => void this.sweep(), HOUR_MS);
    this.timer.unref();
    this.sweeper.unref();
    // At start as well as hourly: a process restarted more often than hourly still sweeps.
    void this.sweep();
  }

  record(attempt: AttemptRecord): void {
    this.buffer.push(attempt);
    if (this.buffer.length >= this.maxBatch) void this.flush();
  }

  /**
   * Writes what is buffered, one flush at a time. A failed write is logged
   * and retried at the next flush (bounded).
   */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /**
   * Writes every attempt recorded so far, in full batches and a last partial
   * one, after a flush in progress. Stops early, leaving the rest for the
   * next flush, if a write fails (logged there).
   */
  async flushAll(): Promise<void> {
    await this.flushing;
    for (let left = this.buffer.length; left > 0; left = this.buffer.length) {
      await this.flush();
      if (this.buffer.length >= left) return;
    }
  }

  private async drain(): Promise<void> {
    // Full batches go at once; a partial one waits for the next tick (or
    // close), so a busy moment makes a few large COPYs, never many small ones.
    do {
      const batch = this.buffer.splice(0, this.maxBatch);
      if (batch.length === 0) return;
      try {
        await this.copy(batch);
      } catch (error) {
        this.logger.error({ err: error, attempts: batch.length }, 'attempt log write failed; will retry');
        // Keep them for the next flush, but never grow without bound.
        this.buffer = [...batch, ...this.buffer].slice(0, 50_000);
        return;
      }
    } while (this.buffer.length >= this.maxBatch || (this.closing && this.buffer.length > 0));
  }

  // COPY, not INSERT: the cheapest way into PostgreSQL for the delivery
  // thread (one string per row, no per-value driver work) and for the server,
  // which shares the machine with everything else.
  private async copy(batch: readonly AttemptRecord[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      const stream = client.query(copyFrom(`COPY reativa.delivery_attempts (${COLUMNS.join(', ')}) FROM STDIN`));
      await pipeline(Readable.from([batch.map(copyLine).join('')]), stream);
      client.release();
    } catch (error) {
      // A connection that failed mid-COPY is not handed out again.
      client.release(true);
      throw error;
    }
  }

  /**
   * Deletes the rows older than the retention, in batches (see SWEEP_BATCH);
   * one sweep at a time per log, a call during one gets that one. A failed
   * batch ends the sweep with what it deleted so far; the next sweep goes on
   * from the lowest id, so nothing is skipped. Another process sweeping at
   * the same time only makes one of them stop early.
   */
  sweep(): Promise<SweepResult> {
    this.sweeping ??= this.sweepBatches().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweepBatches(): Promise<SweepResult> {
    // attempted_at is written from this clock, so the cutoff is too.
    const cutoff = new Date(Date.now() - this.retentionDays * 24 * HOUR_MS);
    const started = Date.now();
    let after = BEFORE_EVERY_ID;
    let deleted = 0;
    let batches = 0;
    try {
      while (!this.closing) {
        const { rows } = await this.pool.query<{ last: string | null; deleted: number }>(SWEEP_BATCH, [after, cutoff, this.sweepBatch]);
        const batch = rows[0]!;
        batches++;
        deleted += batch.deleted;
        if (batch.deleted === 0 || batch.last === null) break;
        after = batch.last;
        // The connection went back to the pool between batches: deliveries
        // waiting for one get it first, and their callbacks run before the next batch.
        await yieldToEventLoop();
      }
    } catch (error) {
      this.logger.error({ err: error, deleted, batches }, 'attempt log retention sweep failed; the next one goes on');
    }
    if (deleted > 0) this.logger.info({ deleted, batches, ms: Date.now() - started, retentionDays: this.retentionDays }, 'attempt log retention sweep');
    return { deleted, batches };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.sweeper);
    this.closing = true;
    // A sweep stops after its current batch (closing); let it, so the pool can end.
    await this.sweeping;
    // Let a flush in progress end, then write everything left.
    await this.flushing;
    await this.flush();
  }
}
