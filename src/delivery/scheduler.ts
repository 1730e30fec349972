// Concurrency across keys, order within a key, and safe offsets: the shape of
// Confluent's Parallel Consumer. Each record of a partition is handed to the
// lane of its key (records of one key run one after the other), lanes of
// different keys run concurrently (bounded per webhook by a Semaphore), and
// the offset that may be committed is the lowest offset still unfinished.
// These run once per delivery, so they allocate little and make no promise
// of their own: the hot path is measured in docs/benchmarks.md.

/**
 * Tracks one partition's in-flight offsets. Offsets are started in the order
 * they were fetched (increasing) and may finish in any order; committable is
 * the lowest unfinished one, or the last started + 1 when none is unfinished.
 */
export class OffsetTracker {
  /** Started offsets, in start order, from `head` on (earlier slots are spent). */
  private readonly started: string[] = [];
  private head = 0;
  /** Finished offsets not yet passed by `head`. */
  private readonly finished = new Set<string>();
  private last: string | undefined;

  start(offset: string): void {
    this.started.push(offset);
    this.last = offset;
  }

  finish(offset: string): void {
    this.finished.add(offset);
  }

  get pending(): number {
    return this.started.length - this.head - this.finished.size;
  }

  /** The offset to commit (the next one to read after a restart), or undefined before any record. */
  committable(): string | undefined {
    while (this.head < this.started.length && this.finished.delete(this.started[this.head]!)) this.head += 1;
    if (this.head > 4096 && this.head * 2 > this.started.length) {
      this.started.splice(0, this.head);
      this.head = 0;
    }
    if (this.head < this.started.length) return this.started[this.head];
    return this.last === undefined ? undefined : (BigInt(this.last) + 1n).toString();
  }
}

/** One consumer's partitions, each with its tracker: what to commit for all of them. */
export class PartitionOffsets {
  private readonly trackers = new Map<string, { topic: string; partition: number; tracker: OffsetTracker }>();

  of(topic: string, partition: number): OffsetTracker {
    const id = `${topic}:${partition}`;
    let entry = this.trackers.get(id);
    if (!entry) this.trackers.set(id, (entry = { topic, partition, tracker: new OffsetTracker() }));
    return entry.tracker;
  }

  committable(): { topic: string; partition: number; offset: string }[] {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const { topic, partition, tracker } of this.trackers.values()) {
      const offset = tracker.committable();
      if (offset !== undefined) offsets.push({ topic, partition, offset });
    }
    return offsets;
  }

  /** After a rebalance partitions may have moved: track afresh (work in flight keeps its old tracker). */
  clear(): void {
    this.trackers.clear();
  }
}

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

/** A counting semaphore: bounded in-flight requests per webhook. */
export class Semaphore {
  private available: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    this.available = size;
  }

  /** Takes a permit if one is free, without waiting. */
  tryAcquire(): boolean {
    if (this.available === 0) return false;
    this.available -= 1;
    return true;
  }

  /** Waits for a permit; call release() exactly once for each permit taken. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.available += 1;
  }
}
