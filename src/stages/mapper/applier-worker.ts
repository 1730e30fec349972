// The state applier's worker thread: applying the change log to the store
// (decode, write) off the mapper's main thread, which maps and produces.
// It opens the same LMDB store (lmdb-js shares one environment across threads)
// and tells the main thread how far the store has got after every batch.
import { parentPort, workerData } from 'node:worker_threads';
import { createKafkaFrom, type KafkaConnection } from '../../kafka/client.js';
import { createLogger } from '../../log.js';
import { ChangeStore } from '../../state/change-store.js';
import { StateApplier, type ApplierOptions } from './applier.js';

export interface ApplierWorkerData {
  readonly connection: KafkaConnection;
  readonly storePath: string;
  readonly indexes: Readonly<Record<string, readonly string[]>>;
  readonly options: ApplierOptions;
  readonly logLevel: string;
  readonly logBindings: Record<string, string>;
  /** Human-readable lines (the main thread's stdout is a terminal, which a worker thread cannot tell). */
  readonly logPretty?: boolean;
}

export type ApplierMessage =
  | { readonly type: 'started'; readonly appliedThrough: number }
  | { readonly type: 'applied'; readonly through: number; readonly applied: number; readonly batches: number; readonly ms: number }
  | { readonly type: 'fatal'; readonly message: string }
  | { readonly type: 'stopped' };

const data = workerData as ApplierWorkerData;
const port = parentPort!;
const post = (message: ApplierMessage) => port.postMessage(message);
const log = createLogger(data.logLevel, undefined, undefined, { pretty: data.logPretty === true }).child(data.logBindings);
const store = ChangeStore.open(data.storePath, { indexes: data.indexes });
const applier = new StateApplier(createKafkaFrom(data.connection, log), store, log, data.options, (error) => post({ type: 'fatal', message: error.message }));
applier.onApplied = (through) => post({ type: 'applied', through, ...applier.stats });

port.on('message', (message: string) => {
  if (message !== 'stop') return;
  void applier
    .stop()
    .then(() => store.close())
    .then(() => post({ type: 'stopped' }));
});

applier.start().then(
  () => post({ type: 'started', appliedThrough: store.appliedThrough }),
  (error: unknown) => post({ type: 'fatal', message: error instanceof Error ? error.message : String(error) }),
);
