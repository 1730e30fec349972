// The attempt log: every delivery attempt (time, status, latency, error, a
// response excerpt of at most 2 KB, never a header or a token), buffered and
// written in multi-row inserts off the hot path, with a retention sweep.
import type pg from 'pg';
import type { Logger } from '../log.js';

export interface AttemptRecord {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly webhookId: number;
  readonly contractId: number | null;
  readonly attempt: number;
  readonly attemptedAt: Date;
  readonly outcome: 'success' | 'retryable' | 'permanent';
  readonly status: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
  readonly responseExcerpt: string | null;
}

const COLUMNS = ['delivery_id', 'event_id', 'webhook_id', 'contract_id', 'attempt', 'attempted_at', 'outcome', 'status', 'latency_ms', 'error', 'response_excerpt'];
const COLUMN_TYPES = 'delivery_id text, event_id text, webhook_id bigint, contract_id bigint, attempt int, attempted_at timestamptz, outcome text, status int, latency_ms int, error text, response_excerpt text';

const toRow = (a: AttemptRecord) => ({
  delivery_id: a.deliveryId,
  event_id: a.eventId,
  webhook_id: a.webhookId,
  contract_id: a.contractId,
  attempt: a.attempt,
  attempted_at: a.attemptedAt,
  outcome: a.outcome,
  status: a.status,
  latency_ms: Math.round(a.latencyMs),
  error: a.error,
  // PostgreSQL text cannot hold NUL, which a partner's reply might contain.
  response_excerpt: a.responseExcerpt?.replaceAll('\u0000', '') ?? null,
});

export class AttemptLog {
  private buffer: AttemptRecord[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly sweeper: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly retentionDays = 30,
    private readonly flushEveryMs = 1000,
    private readonly maxBatch = 500,
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

  /** Writes what is buffered; a failed write is logged and retried at the next flush (bounded). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      while (this.buffer.length > 0) {
        const batch = this.buffer.splice(0, this.maxBatch);
        // One JSON parameter for the whole batch: serialised natively by
        // JSON.stringify, where the driver's per-value array escaping showed
        // on the delivery thread's profile. PostgreSQL unpacks it.
        try {
          await this.pool.query(
            `INSERT INTO reativa.delivery_attempts (${COLUMNS.join(', ')})
             SELECT ${COLUMNS.join(', ')} FROM json_to_recordset($1::json) AS a(${COLUMN_TYPES})`,
            [JSON.stringify(batch.map(toRow))],
          );
        } catch (error) {
          this.logger.error({ err: error, attempts: batch.length }, 'attempt log write failed; will retry');
          // Keep them for the next flush, but never grow without bound.
          this.buffer = [...batch, ...this.buffer].slice(0, 50_000);
          return;
        }
      }
    });
    return this.flushing;
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
    await this.flush();
  }
}
