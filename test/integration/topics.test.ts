// Topics on any cluster (issue 12): `reativa start` creates every topic it
// reads or writes — the change log, Reativa's own topics and one retry topic
// per step — with the partitions and replication factor of the settings, and
// leaves existing ones alone. A cluster that refuses (here: a replication
// factor larger than the embedded stack's one broker) stops the start with a
// message naming the setting, instead of consumers waiting on topics forever.
import { afterAll, describe, expect, it } from 'vitest';
import { allTopicSpecs } from '../../src/kafka/topics.js';
import { createKafka } from '../../src/kafka/client.js';
import { createLogger } from '../../src/log.js';
import { loadSettings, type Settings } from '../../src/settings.js';
import { ensureDeploymentTopics, topicsOf } from '../../src/stages/topics.js';
import { testKafka, unique } from '../support/harness.js';
import { ReativaProcess } from '../support/processes.js';
import { waitFor } from '../../src/util/wait.js';

const logger = createLogger('silent');
const admin = testKafka().admin();
const made: string[] = [];
const started: ReativaProcess[] = [];

afterAll(async () => {
  for (const p of started) await p.kill('SIGKILL');
  if (made.length > 0) await admin.deleteTopics({ topics: made }).catch(() => undefined);
  await admin.disconnect();
});

/** Settings of a namespace of this test's own; the change log is the stack's (it exists, so it is only checked). */
const settingsFor = (namespace: string, env: NodeJS.ProcessEnv = {}): Settings => loadSettings({ ...process.env, REATIVA_NAMESPACE: namespace, ...env });

const specsOf = (s: Settings) =>
  allTopicSpecs({ changeTopicPrefix: s.topicPrefix, historyMs: s.state.historyMs, topics: topicsOf(s), retrySteps: s.delivery.retryScheduleMs.length, partitions: s.topics.partitions });

describe('topics at start', () => {
  it('creates every topic of the namespace, retry topics included, with the configured partitions; a second start creates none', async () => {
    await admin.connect();
    const s = settingsFor(unique('topics'), { REATIVA_TOPIC_PARTITIONS: '2', REATIVA_DELIVERY_RETRY_SCHEDULE: '1s,5s,30s' });
    const own = specsOf(s).filter((spec) => spec.topic.startsWith(`${s.topics.namespace}.`));
    made.push(...own.map((spec) => spec.topic));

    const created = await ensureDeploymentTopics(createKafka(s, logger), s);
    expect([...created].sort()).toEqual(own.map((spec) => spec.topic).sort());
    expect(created).toEqual(expect.arrayContaining([1, 2, 3].map((step) => topicsOf(s).retry(step))));
    // Usable as soon as made: an offset lookup (what a consumer does first) finds each one's leader.
    for (const topic of created) expect((await admin.fetchTopicOffsets(topic)).length).toBeGreaterThan(0);

    const metadata = await admin.fetchTopicMetadata({ topics: created });
    for (const spec of own) {
      const topic = metadata.topics.find((t) => t.name === spec.topic);
      expect(topic?.partitions.length, spec.topic).toBe(spec.numPartitions);
    }
    expect(metadata.topics.find((t) => t.name === topicsOf(s).deliveries)?.partitions.length).toBe(2);
    expect(metadata.topics.find((t) => t.name === topicsOf(s).retry(3))?.partitions.length).toBe(2);

    expect(await ensureDeploymentTopics(createKafka(s, logger), s)).toEqual([]);
  });

  it('a replication factor larger than the cluster stops with the setting named, and creates nothing', async () => {
    await admin.connect();
    const s = settingsFor(unique('topics'), { REATIVA_TOPIC_REPLICATION_FACTOR: '3' });
    const failure = await ensureDeploymentTopics(createKafka(s, logger), s).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toContain('REATIVA_TOPIC_REPLICATION_FACTOR');
    expect(failure?.message).toContain('replication factor 3');
    expect(failure?.message).toContain(topicsOf(s).triggers);
    const existing = new Set(await admin.listTopics());
    expect(specsOf(s).filter((spec) => spec.topic.startsWith(`${s.topics.namespace}.`) && existing.has(spec.topic))).toEqual([]);
  });

  it('`reativa start` on such a cluster exits non-zero at once with that message, not waiting it out', async () => {
    const namespace = unique('topics');
    const p = new ReativaProcess(['--stages', 'delivery'], { REATIVA_NAMESPACE: namespace, REATIVA_TOPIC_REPLICATION_FACTOR: '3', REATIVA_HTTP_PORT: '0', REATIVA_LOG_LEVEL: 'info' });
    started.push(p);
    let stderr = '';
    p.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await waitFor('the start to exit', async () => (p.child.exitCode ?? undefined), { timeoutMs: 60_000, intervalMs: 200 });
    expect(code).not.toBe(0);
    const said = `${stderr}\n${p.lines.map((l) => JSON.stringify(l)).join('\n')}`;
    expect(said).toContain('REATIVA_TOPIC_REPLICATION_FACTOR');
    // Refused is not unavailable: the start did not wait it out as an outage.
    expect(said).not.toContain('unavailable: waiting it out');
  });
});
