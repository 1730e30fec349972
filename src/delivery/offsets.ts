// Offsets that are safe to commit when records finish out of order, the way
// Confluent's Parallel Consumer does it: a partition's committable offset is
// its lowest unfinished one. These run once per delivery, so they allocate
// little and make no promise of their own (docs/benchmarks.md).

/** Records handed over and not yet settled across a consumer group's partitions: its read-ahead. */
export class PendingCount {
  value = 0;
}

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

  constructor(private readonly group: PendingCount = new PendingCount()) {}

  start(offset: string): void {
    this.started.push(offset);
    this.last = offset;
    this.group.value += 1;
  }

  finish(offset: string): void {
    this.finished.add(offset);
    this.group.value -= 1;
  }

  /** A record dropped unstarted (its partition is being handed over): no longer pending, and never committable past. */
  abandon(): void {
    this.group.value -= 1;
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
  /** Every partition's pending records together, trackers cleared by a rebalance included until their work settles. */
  readonly pending = new PendingCount();

  of(topic: string, partition: number): OffsetTracker {
    const id = `${topic}:${partition}`;
    let entry = this.trackers.get(id);
    if (!entry) this.trackers.set(id, (entry = { topic, partition, tracker: new OffsetTracker(this.pending) }));
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
