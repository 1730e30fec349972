// KafkaJS 2.2.4 (its last release) keeps a 1 ms timer running on every broker
// connection for the life of the process: once a request has been answered,
// its request queue schedules a check of pending requests at
// `throttledUntil - Date.now()`, a large negative number when nothing is
// throttled, which Node runs after 1 ms, and the check schedules the next one
// whether anything is pending or not (tulios/kafkajs#1704, #1751; unmerged
// fixes #1755, #1768). Each stage process has several connections, so it woke
// about a thousand times a second while idle, and Node 24 prints a
// TimeoutNegativeWarning for it. Patched here, once, where every Kafka client
// of Reativa is made: no check is scheduled when nothing waits and nothing is
// throttled. That is safe because a request that cannot go out at once is
// queued by `push`, which schedules its own check, and an answered request
// checks the queue itself.
import { createRequire } from 'node:module';

interface RequestQueuePrototype {
  scheduleCheckPendingRequests(this: RequestQueueState): void;
}

interface RequestQueueState {
  readonly pending: readonly unknown[];
  readonly throttledUntil: number;
}

const PATCHED = Symbol.for('reativa.kafkajs.requestQueueFix');

/** Loads KafkaJS's request queue class (CommonJS, not in its public API). */
function requestQueueClass(): { prototype: RequestQueuePrototype & { [PATCHED]?: true } } | undefined {
  try {
    const require = createRequire(import.meta.url);
    return require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueuePrototype & { [PATCHED]?: true } };
  } catch {
    return undefined;
  }
}

/**
 * Stops the idle 1 ms polling of KafkaJS's request queues; idempotent. Returns
 * whether the patch is in place (false when KafkaJS's internals changed shape,
 * in which case it is left as it is).
 */
export function fixKafkaRequestQueue(): boolean {
  const proto = requestQueueClass()?.prototype;
  if (!proto || typeof proto.scheduleCheckPendingRequests !== 'function') return false;
  if (proto[PATCHED]) return true;
  const schedule = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueState) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
  proto[PATCHED] = true;
  return true;
}
