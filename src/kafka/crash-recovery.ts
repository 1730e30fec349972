// A consumer KafkaJS gave up on for a passing cause, run again.
//
// KafkaJS restarts a crashed consumer itself only when the error is retriable.
// Looking for the group's coordinator while no broker answers (a single broker
// restarting just as the consumer rejoins) ends in
// KafkaJSGroupCoordinatorNotFound, which KafkaJS 2.2.4 counts as non-retriable:
// the consumer disconnects, emits CRASH with `restart: false` and stays stopped
// (tulios/kafkajs#1445 and #1630, open). The stages wait outages out, so such
// a consumer is connected and run again here, with backoff, until it runs or
// its stage stops; any other crash KafkaJS does not restart stays fatal.
import type { Consumer, ConsumerRunConfig } from 'kafkajs';
import type { Logger } from '../log.js';
import { DEFAULT_BACKOFF, type Backoff } from '../util/retry.js';
import { sleep } from '../util/wait.js';

/** Errors after which KafkaJS stops a consumer although their cause passes by itself. */
const PASSING = new Set(['KafkaJSGroupCoordinatorNotFound']);

/** Whether a crash KafkaJS will not restart from is one that passes (the error, or any cause under it). Pure. */
export function passingCrash(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = (e as { cause?: unknown }).cause, depth += 1) {
    if (PASSING.has(e.name)) return true;
  }
  return false;
}

export interface RunAgainOptions {
  /** The consumer's stage is stopping: give up quietly. */
  readonly stopped: () => boolean;
  readonly log: Logger;
  readonly backoff?: Backoff;
}

/**
 * For a CRASH KafkaJS will not restart from (`payload.restart` false): when
 * its cause passes, connects and runs `consumer` again with `config` in the
 * background, retrying with backoff, and returns true; otherwise returns
 * false and the caller treats the crash as fatal.
 */
export function runAgainAfterCrash(consumer: Consumer, config: ConsumerRunConfig, error: unknown, options: RunAgainOptions): boolean {
  if (!passingCrash(error)) return false;
  const { initialMs, maxMs } = options.backoff ?? DEFAULT_BACKOFF;
  options.log.warn({ err: error }, 'consumer stopped by kafkajs while no broker answered; running it again');
  void (async () => {
    for (let delay = initialMs; !options.stopped(); delay = Math.min(maxMs, delay * 2)) {
      await sleep(delay);
      if (options.stopped()) return;
      try {
        await consumer.connect();
        // KafkaJS kept the subscriptions; a new run joins the group again (another crash comes back here).
        await consumer.run(config);
        return;
      } catch (failure) {
        options.log.warn({ err: failure }, 'consumer could not run again yet; trying again');
      }
    }
  })();
  return true;
}
