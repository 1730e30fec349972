// Concurrency across keys, order within a key, and safe offsets: the shape of
// Confluent's Parallel Consumer. Each record of a partition is handed to the
// chain of its key (records of one key run one after the other), chains of
// different keys run concurrently (bounded per webhook elsewhere), and the
// offset that may be committed is the lowest offset still unfinished.

/** Tracks one partition's in-flight offsets; committable = lowest unfinished (or last finished + 1). */
export class OffsetTracker {
  private readonly inFlight = new Set<bigint>();
  private highestSeen = -1n;

  start(offset: string): void {
    const o = BigInt(offset);
    this.inFlight.add(o);
    if (o > this.highestSeen) this.highestSeen = o;
  }

  finish(offset: string): void {
    this.inFlight.delete(BigInt(offset));
  }

  get pending(): number {
    return this.inFlight.size;
  }

  /** The offset to commit (the next one to read after a restart), or undefined before any record. */
  committable(): string | undefined {
    if (this.highestSeen < 0n) return undefined;
    let lowest = this.highestSeen + 1n;
    for (const o of this.inFlight) if (o < lowest) lowest = o;
    return lowest.toString();
  }
}

/** Runs tasks one after the other per key, and different keys concurrently. */
export class KeyedChains {
  private readonly tails = new Map<string, Promise<void>>();

  run(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  get activeKeys(): number {
    return this.tails.size;
  }

  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}

/** A counting semaphore: bounded in-flight requests per webhook. */
export class Semaphore {
  private available: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    this.available = size;
  }

  async acquire(): Promise<() => void> {
    if (this.available > 0) this.available -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.available += 1;
    };
  }
}
