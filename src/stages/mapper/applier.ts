// Keeps the state store current: reads the change log in order and applies
// every captured row change to the store, in one LMDB transaction per batch
// with the new position. It runs in every mapper process — the active one and
// hot standbys alike — on the main thread beside the emitter, in a consumer
// group of its own store (each store reads the whole log), and it is the
// store's only writer: the emitter only reads. Until 2026-12-08 it ran in a
// worker thread, for a fifth more mapper throughput; once rows were stored
// with shared structures (change-store.ts) the thread bought about 5 % and
// cost a second V8 isolate with its own Kafka client, 30–40 MB resident
// (docs/benchmarks.md, "Memory: what holds it").
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { CHANGE_LOG_FETCH } from '../../kafka/client.js';
import { runAgainAfterCrash } from '../../kafka/crash-recovery.js';
import { decodeChange } from '../../capture/envelope.js';
import { isCapturedIn } from '../../capture/tables.js';
import type { Logger } from '../../log.js';
import type { ChangeStore, LoggedChange, PruneCursor } from '../../state/change-store.js';



export interface ApplierOptions {
  readonly logTopic: string;
  /** How far back the store keeps versions (the replay window); older ones are pruned hourly. */
  readonly historyMs: number;
  /** Prefix of the applier's consumer group; the store's id completes it. */
  readonly groupPrefix: string;
  readonly sessionTimeoutMs: number;
}

export interface ApplierStats {
  applied: number;
  /** Records read that the store already held (a batch read again after a restart). */
  skipped: number;
  batches: number;
  ms: number;
}

export class StateApplier {
  readonly stats: ApplierStats = { applied: 0, skipped: 0, batches: 0, ms: 0 };
  private consumer: Consumer | undefined;
  private readonly waiters: { offset: number; resolve: () => void }[] = [];
  /** Told after each batch, with the store's new position. */
  onApplied: (through: number) => void = () => undefined;
  private caughtUp = false;
  private pruner: NodeJS.Timeout | undefined;
  private pruning = false;
  private stopped = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly store: ChangeStore,
    private readonly log: Logger,
    private readonly options: ApplierOptions,
    private readonly onFatal: (error: Error) => void,
  ) {}

  /** Resolves once the store holds every change of the log up to `offset`. */
  reached(offset: number): Promise<void> {
    if (this.store.appliedThrough >= offset) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ offset, resolve }));
  }

  async start(): Promise<void> {
    const { sessionTimeoutMs: sessionTimeout } = this.options;
    const groupId = `${this.options.groupPrefix}-state-${this.store.storeId}`;
    const consumer = this.kafka.consumer({ groupId, sessionTimeout, heartbeatInterval: Math.floor(sessionTimeout / 10), maxWaitTimeInMs: 100, ...CHANGE_LOG_FETCH });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.logTopic], fromBeginning: true });
    const config = { autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload: EachBatchPayload) => this.applyBatch(payload) };
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || runAgainAfterCrash(consumer, config, payload.error, { stopped: () => this.stopped, log: this.log })) return;
      this.log.fatal({ err: payload.error }, 'state applier crashed and will not restart');
      this.onFatal(payload.error);
    });
    // The store's own position is where to read on: its group is new when
    // the store is shared with another namespace's mapper (or its offsets
    // expired), and reading from the log's start only to skip what the store
    // holds took 20 s on a log of 1.5 million changes. Sought again on every
    // join: nothing before the store's position is ever needed.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (payload.memberAssignment[this.options.logTopic]?.includes(0)) consumer.seek({ topic: this.options.logTopic, partition: 0, offset: String(this.store.appliedThrough + 1) });
    });
    await consumer.run(config);
    this.log.info({ store: this.store.path, appliedThrough: this.store.appliedThrough, groupId }, 'state applier running');
    this.pruner = setInterval(() => this.prune(), 3600_000);
    this.pruner.unref();
  }

  /** Drops versions older than the history window, a transaction at a time, yielding in between. */
  prune(): Promise<number> {
    if (this.pruning) return Promise.resolve(0);
    this.pruning = true;
    const before = Date.now() - this.options.historyMs;
    let removed = 0;
    return new Promise<number>((resolve) => {
      const step = (start: PruneCursor) => {
        try {
          const result = this.store.pruneStep(before, start);
          removed += result.removed;
          if (result.next) return void setImmediate(() => step(result.next!));
          this.log.info({ removed, before: new Date(before).toISOString() }, 'state store pruned');
        } catch (error) {
          this.log.error({ err: error }, 'state store prune failed; the next one tries again');
        }
        this.pruning = false;
        resolve(removed);
      };
      step([]);
    });
  }

  private async applyBatch({ batch, resolveOffset, isRunning, isStale, heartbeat }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const started = performance.now();
    const from = this.store.appliedThrough;
    const changes: LoggedChange[] = [];
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset <= from) {
        this.stats.skipped += 1;
        continue;
      }
      const decoded = decodeChange(message.key, message.value);
      // Tombstones, Reativa's own tables and what does not decode carry no ERP row (the emitter dead-letters the last).
      if (decoded.ok && isCapturedIn(decoded.change.schema, decoded.change.table)) changes.push({ offset, change: decoded.change });
    }
    const last = Number(batch.lastOffset());
    this.stats.applied += this.store.apply(changes, last);
    this.stats.batches += 1;
    this.stats.ms += performance.now() - started;
    resolveOffset(batch.lastOffset());
    this.release();
    this.onApplied(this.store.appliedThrough);
    if (!this.caughtUp && last >= Number(batch.highWatermark) - 1) {
      this.caughtUp = true;
      this.log.info({ appliedThrough: last, applied: this.stats.applied }, 'state store caught up with the change log');
    }
    // Where this store's applier resumes after a restart; the store's own position is what counts.
    await this.consumer?.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(last + 1) }]).catch((error: unknown) => this.log.warn({ err: error }, 'state applier offset commit failed'));
    await heartbeat();
  }

  private release(): void {
    const through = this.store.appliedThrough;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.offset <= through) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pruner);
    await this.consumer?.disconnect();
  }
}
