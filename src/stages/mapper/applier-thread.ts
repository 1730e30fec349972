// The main thread's side of the state applier, which runs in a worker thread
// (applier-worker.ts): it starts and stops the worker, knows how far the store
// has got, and lets the emitter wait for a batch to be in the store.
import { Worker } from 'node:worker_threads';
import { UnrecoverableError } from '../../errors/unrecoverable-error.js';
import type { ApplierStats } from './applier.js';
import type { ApplierMessage, ApplierWorkerData } from './applier-worker.js';

// Compiled, the worker is a .js beside this file. Run from source (development,
// tests) it is the .ts, which the worker loads through tsx as the main thread did.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER = new URL(FROM_SOURCE ? './applier-worker.ts' : './applier-worker.js', import.meta.url);
// V8 flags given to `node` (--max-semi-space-size, --max-old-space-size…) are
// process-wide: a worker given them in execArgv refuses to start
// (ERR_WORKER_INVALID_EXEC_ARGV), and it has them anyway. Compiled, the worker
// needs no option of its own; from source, it needs tsx's loader.
const EXEC_ARGV = FROM_SOURCE ? ['--import', 'tsx'] : [];

/**
 * The worker's young generation, in MB. Left to V8, a worker on a large
 * machine grows it to over 100 MB of mostly empty semi-spaces (Node 22+ sizes
 * them from the heap limit, which follows the machine's memory), resident for
 * the process's life; the applier's garbage is short-lived batches, which this
 * holds with a scavenge every few thousand rows (docs/benchmarks.md, "Memory per process").
 */
const APPLIER_YOUNG_GENERATION_MB = 8;

export class ThreadedApplier {
  readonly stats: ApplierStats = { applied: 0, batches: 0, ms: 0 };
  private worker: Worker | undefined;
  private through = -1;
  private readonly waiters: { offset: number; resolve: () => void }[] = [];
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly data: ApplierWorkerData,
    private readonly onFatal: (error: Error) => void,
  ) {}

  /** Starts the worker and waits until its consumer runs. */
  start(): Promise<void> {
    const worker = new Worker(WORKER, { workerData: this.data, execArgv: EXEC_ARGV, resourceLimits: { maxYoungGenerationSizeMb: APPLIER_YOUNG_GENERATION_MB } });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: ApplierMessage) => {
        switch (message.type) {
          case 'started':
            started = true;
            this.advance(message.appliedThrough);
            resolve();
            break;
          case 'applied':
            Object.assign(this.stats, { applied: message.applied, batches: message.batches, ms: message.ms });
            this.advance(message.through);
            break;
          case 'fatal': {
            const error = new UnrecoverableError(`state applier: ${message.message}`);
            if (started) this.onFatal(error);
            else reject(error);
            break;
          }
          case 'stopped':
            void worker.terminate();
            break;
        }
      });
      worker.on('error', (error) => (started ? this.onFatal(error) : reject(error)));
      worker.on('exit', (code) => {
        if (!this.stopped && code !== 0) this.onFatal(new UnrecoverableError(`state applier thread exited with code ${code}`));
      });
    });
  }

  /** Resolves once the store holds every change of the log up to `offset`. */
  reached(offset: number): Promise<void> {
    if (this.through >= offset) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ offset, resolve }));
  }

  private advance(through: number): void {
    this.through = Math.max(this.through, through);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.offset <= this.through) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  /** Stops the worker's consumer and closes its side of the store. */
  stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    this.stopped ??= new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage('stop');
    });
    return this.stopped;
  }
}
