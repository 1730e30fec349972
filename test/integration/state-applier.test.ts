// The state applier against the embedded broker, on a change log of the
// test's own: a store that already holds part of the log (shared with another
// namespace's mapper) is fed from its own position, not from the log's start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { StateApplier } from '../../src/stages/mapper/applier.js';
import { ChangeStore } from '../../src/state/change-store.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestTopic, testKafka, unique } from '../support/harness.js';

const kafka = testKafka();
const admin = kafka.admin();
const topic = unique('test-applier-log');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reativa-applier-'));

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('state applier', () => {
  it('reads on from the store\'s own position when its consumer group is new', async () => {
    await admin.connect();
    await createTestTopic(admin, topic);
    const producer = kafka.producer();
    await producer.connect();
    // 40 records (no ERP row in them: the store's position moves all the same).
    await producer.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: null })) });
    await producer.disconnect();

    // The store already holds offsets 0-29, as when another namespace's mapper fed it.
    const store = ChangeStore.open(dir, { indexes: {} });
    store.apply([], 29);
    const applier = new StateApplier(kafka, store, createLogger('silent'), { logTopic: topic, groupPrefix: unique('test-applier'), historyMs: 86_400_000, sessionTimeoutMs: 10_000 }, (error) => {
      throw error;
    });
    try {
      await applier.start();
      await waitFor('the store at the log\'s end', async () => store.appliedThrough === 39, { timeoutMs: 30_000 });
      // Reading from the log's start would have read offsets 0-29 only to skip them.
      expect(applier.stats.skipped).toBe(0);
    } finally {
      await applier.stop();
      await store.close();
    }
  });
});
