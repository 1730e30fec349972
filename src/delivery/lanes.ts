// Order within a key, concurrency across keys: each record is handed to the
// lane of its key, records of one key run one after the other, lanes of
// different keys run concurrently. Promise-free bookkeeping: it runs once per
// delivery (docs/benchmarks.md).

/**
 * Runs tasks one after the other per key, and different keys concurrently.
 * A task that fails is reported to `onError` and the key's lane goes on.
 */
export class KeyedLanes {
  private readonly waiting = new Map<string, (() => Promise<void>)[]>();
  private idle: (() => void)[] = [];

  constructor(private readonly onError: (error: unknown) => void) {}

  run(key: string, task: () => Promise<void>): void {
    const queue = this.waiting.get(key);
    if (queue) queue.push(task);
    else {
      this.waiting.set(key, []);
      this.start(key, task);
    }
  }

  get activeKeys(): number {
    return this.waiting.size;
  }

  /** Resolves when no lane has work left. */
  drain(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private start(key: string, task: () => Promise<void>): void {
    let running: Promise<void>;
    try {
      running = task();
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      () => this.next(key),
      (error: unknown) => {
        this.onError(error);
        this.next(key);
      },
    );
  }

  private next(key: string): void {
    const task = this.waiting.get(key)?.shift();
    if (task) return this.start(key, task);
    this.waiting.delete(key);
    if (this.waiting.size === 0 && this.idle.length > 0) {
      const idle = this.idle;
      this.idle = [];
      for (const resolve of idle) resolve();
    }
  }
}
