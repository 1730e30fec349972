import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { fixKafkaRequestQueue } from '../../../src/kafka/request-queue-fix.js';

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}

const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: Record<string, unknown>) => Queue;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queues: Queue[] = [];
const queue = () => {
  const q = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'test:9092', logger: silent });
  queues.push(q);
  return q;
};

afterEach(() => {
  for (const q of queues.splice(0)) q.destroy();
});

describe('KafkaJS request queue fix', () => {
  it('patches once and says so', () => {
    expect(fixKafkaRequestQueue()).toBe(true);
    expect(fixKafkaRequestQueue()).toBe(true);
  });

  it('arms no timer when nothing waits and nothing is throttled (KafkaJS re-armed a 1 ms one forever)', () => {
    fixKafkaRequestQueue();
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still checks a queued request when the throttle ends', () => {
    fixKafkaRequestQueue();
    const q = queue();
    q.throttledUntil = Date.now() + 60_000;
    q.pending.push({});
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
  });

  it('still checks when throttled with nothing queued yet, as KafkaJS does', () => {
    fixKafkaRequestQueue();
    const q = queue();
    q.throttledUntil = Date.now() + 60_000;
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
  });
});
