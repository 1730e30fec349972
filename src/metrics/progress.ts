// One info line per stage every interval (a minute by default) with its
// counters, so a tail of the log shows the process working, or idle, without a
// metrics system: "delivery: delivered +1520, retried +3, … in the last 60 s".
// Pure: the caller gives the counters and the clock.
import type { Logger } from '../log.js';

export type Counters = Readonly<Record<string, number>>;

export interface ProgressSource {
  readonly stage: string;
  /** The stage's counters, totals since the process started. */
  counters(): Counters;
}

export interface ProgressEntry {
  readonly fields: { readonly stage: string; readonly intervalS: number; readonly totals: Counters; readonly lastInterval: Counters };
  readonly message: string;
}

/** What one line says: each counter's change since the previous line (or since start), and the totals. */
export function progressEntry(stage: string, previous: Counters | undefined, current: Counters, elapsedMs: number): ProgressEntry {
  const lastInterval = Object.fromEntries(Object.entries(current).map(([name, value]) => [name, value - (previous?.[name] ?? 0)]));
  const intervalS = Math.round(elapsedMs / 1000);
  const changes = Object.entries(lastInterval).map(([name, delta]) => `${name} +${delta}`);
  return {
    fields: { stage, intervalS, totals: { ...current }, lastInterval },
    message: `${stage}: ${changes.join(', ')} in the last ${intervalS} s`,
  };
}

export class ProgressLog {
  private readonly sources: { readonly source: ProgressSource; previous: Counters | undefined }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last: number;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  add(source: ProgressSource): void {
    // Counted from now: what the stage did before it was added (nothing, as it starts) is not this interval's.
    this.sources.push({ source, previous: source.counters() });
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
    // A log line is never a reason to keep the process alive.
    this.timer.unref();
  }

  /** Logs one line per stage. */
  tick(): void {
    const now = this.now();
    for (const entry of this.sources) {
      const current = entry.source.counters();
      const { fields, message } = progressEntry(entry.source.stage, entry.previous, current, now - this.last);
      this.logger.info(fields, message);
      entry.previous = current;
    }
    this.last = now;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
