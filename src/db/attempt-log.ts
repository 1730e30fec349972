// The attempt log: every delivery attempt (time, status, latency, error, a
// response excerpt of at most 2 KB, never a header or a token), buffered and
// written with COPY off the hot path, with a retention sweep.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { AttemptLogPort, AttemptRecord } from '../delivery/ports.js';
import type { Logger } from '../log.js';

export type { AttemptRecord };


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
  private closing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly retentionDays = 30,
    private readonly flushEveryMs = 1000,
    private readonly maxBatch = 2000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.sweeper = setInterval(() => void this.sweep(), 3600_000);
    this.timer.unref();
    this.sweeper.unref();
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

  async sweep(): Promise<number> {
    const { rowCount } = await this.pool
      .query(`DELETE FROM reativa.delivery_attempts WHERE attempted_at < now() - make_interval(days => $1)`, [this.retentionDays])
      .catch((error: unknown) => {
        this.logger.error({ err: error }, 'attempt log retention sweep failed');
        return { rowCount: 0 };
      });
    return rowCount ?? 0;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.sweeper);
    this.closing = true;
    // Let a flush in progress end, then write everything left.
    await this.flushing;
    await this.flush();
  }
}
