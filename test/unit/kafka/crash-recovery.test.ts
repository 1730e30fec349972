// A consumer KafkaJS stops for good on a passing cause (no broker answered
// while it looked for its group's coordinator) is connected and run again,
// with backoff, until it runs; other crashes stay the caller's to treat as fatal.
import { KafkaJSConnectionError, KafkaJSGroupCoordinatorNotFound, KafkaJSNonRetriableError, type Consumer, type ConsumerRunConfig } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { passingCrash, runAgainAfterCrash } from '../../../src/kafka/crash-recovery.js';
import { createLogger } from '../../../src/log.js';
import { waitFor } from '../../../src/util/wait.js';

const log = createLogger('silent');
/** What KafkaJS throws when no broker answered while it looked for the coordinator (its typings omit the constructor's message). */
const coordinatorNotFound = (): Error => Reflect.construct(KafkaJSGroupCoordinatorNotFound, ['Failed to find group coordinator']) as Error;
const backoff = { initialMs: 1, maxMs: 4 };

/** A consumer whose connect() fails `failures` times, then works; counts run() calls and what they were given. */
function fakeConsumer(failures: number) {
  const calls = { connect: 0, run: [] as ConsumerRunConfig[] };
  const consumer = {
    connect: async () => {
      calls.connect += 1;
      if (calls.connect <= failures) throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    },
    run: async (config: ConsumerRunConfig) => {
      calls.run.push(config);
    },
  } as unknown as Consumer;
  return { consumer, calls };
}

describe('crash recovery', () => {
  it('knows the crash KafkaJS does not restart from though its cause passes, also under a cause', () => {
    expect(passingCrash(coordinatorNotFound())).toBe(true);
    expect(passingCrash(Object.assign(new KafkaJSNonRetriableError('wrapped'), { cause: coordinatorNotFound() }))).toBe(true);
    expect(passingCrash(new KafkaJSNonRetriableError('Invalid topic'))).toBe(false);
    expect(passingCrash('not an error')).toBe(false);
  });

  it('connects and runs the consumer again with the same configuration, through failed connects', async () => {
    const { consumer, calls } = fakeConsumer(2);
    const config: ConsumerRunConfig = { autoCommit: false, eachBatch: async () => undefined };
    expect(runAgainAfterCrash(consumer, config, coordinatorNotFound(), { stopped: () => false, log, backoff })).toBe(true);
    await waitFor('the consumer to run again', async () => calls.run.length === 1, { timeoutMs: 5000, intervalMs: 2 });
    expect(calls.connect).toBe(3);
    expect(calls.run[0]).toBe(config);
  });

  it('leaves any other crash to the caller, and gives up once the stage stops', async () => {
    const other = fakeConsumer(0);
    expect(runAgainAfterCrash(other.consumer, {}, new KafkaJSNonRetriableError('Invalid topic'), { stopped: () => false, log, backoff })).toBe(false);
    let stopping = false;
    const stopped = fakeConsumer(1_000_000);
    expect(runAgainAfterCrash(stopped.consumer, {}, coordinatorNotFound(), { stopped: () => stopping, log, backoff })).toBe(true);
    await waitFor('a first attempt', async () => stopped.calls.connect > 0, { timeoutMs: 5000, intervalMs: 2 });
    stopping = true;
    const after = stopped.calls.connect;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stopped.calls.connect).toBeLessThanOrEqual(after + 1);
    expect(other.calls.connect + other.calls.run.length).toBe(0);
  });
});
