// Warnings that can come by the thousand for one cause: every delivery to a
// webhook switched off while its changes waited, every event a partner's rules
// refuse while the client's data stays wrong. One line each buried the log
// (270,000 "delivery dead-lettered" lines in one start on a used stack) and
// told an operator nothing the first few did not. So each cause (a message
// and its group: webhook and reason) is logged in full the first `perWindow`
// times in a window, and the rest in one line when the window ends: how many,
// and the last one's details. Each occurrence still has its own record where
// it matters (the dead-letter topic, the metrics); only the log is summarised.
// Pure apart from its timer: the clock and the sink are given.

/** Where the lines go: a pino logger fits. */
export interface WarnSink {
  warn(fields: object, message: string): void;
}

/** What identifies a cause: a few short values (ids, a reason). */
export type WarningGroup = Readonly<Record<string, string | number>>;

interface Cause {
  readonly message: string;
  readonly group: WarningGroup;
  logged: number;
  omitted: number;
  last: object | undefined;
}

export class RepeatedWarnings {
  private causes = new Map<string, Cause>();
  private windowStart: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: WarnSink,
    private readonly perWindow = 10,
    private readonly now: () => number = Date.now,
    /** Causes kept apart in one window; past them, every occurrence is logged in full (bounded memory whatever the reasons' variety). */
    private readonly maxCauses = 1000,
  ) {
    this.windowStart = now();
  }

  /** Logs `message` with the group's fields and `details`, unless its cause was logged `perWindow` times in this window already. */
  warn(message: string, group: WarningGroup, details: object = {}): void {
    const key = `${message}\u0000${JSON.stringify(group)}`;
    let cause = this.causes.get(key);
    if (!cause) {
      if (this.causes.size >= this.maxCauses) {
        this.sink.warn({ ...group, ...details }, message);
        return;
      }
      cause = { message, group, logged: 0, omitted: 0, last: undefined };
      this.causes.set(key, cause);
    }
    if (cause.logged < this.perWindow) {
      cause.logged += 1;
      this.sink.warn({ ...group, ...details }, message);
      return;
    }
    cause.omitted += 1;
    cause.last = details;
  }

  /** Ends the window: one line per cause with occurrences left out of it, then a fresh window. */
  flush(): void {
    const seconds = Math.max(1, Math.round((this.now() - this.windowStart) / 1000));
    for (const cause of this.causes.values()) {
      if (cause.omitted === 0) continue;
      this.sink.warn(
        { ...cause.group, repeated: cause.omitted, logged: cause.logged, windowS: seconds, last: cause.last },
        `${cause.message}: ${cause.omitted} more in the last ${seconds} s, not logged one by one`,
      );
    }
    this.causes = new Map();
    this.windowStart = this.now();
  }

  /** Flushes every `windowMs`; never keeps the process alive. */
  start(windowMs: number): this {
    this.timer ??= setInterval(() => this.flush(), windowMs);
    this.timer.unref();
    return this;
  }

  /** Stops the timer and logs what the last window left out. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }
}
