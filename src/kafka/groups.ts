// Consumer groups as operators see them: lag per partition, and offset resets
// (replay) that refuse to run while the group has live members.
import type { Admin, Kafka } from 'kafkajs';
import { GroupBusyError } from '../errors/group-busy-error.js';
import { waitFor } from '../util/wait.js';

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly committed: string | null;
  readonly end: string;
  readonly lag: number;
}

export async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  if (present.length === 0) return [];
  const committed = await admin.fetchOffsets({ groupId, topics: present });
  const rows: PartitionLag[] = [];
  for (const topic of present) {
    const ends = await admin.fetchTopicOffsets(topic);
    const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const end of ends) {
      const c = mine.find((p) => p.partition === end.partition)?.offset;
      const has = c !== undefined && c !== '-1';
      const from = has ? BigInt(c) : BigInt(end.low);
      rows.push({ topic, partition: end.partition, committed: has ? c : null, end: end.high, lag: Number(BigInt(end.high) - from) });
    }
  }
  return rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

export type ReplayTarget = { readonly kind: 'earliest' } | { readonly kind: 'datetime'; readonly at: number } | { readonly kind: 'offsets'; readonly offsets: ReadonlyMap<string, string> };

export interface ReplayStep {
  readonly topic: string;
  readonly partition: number;
  readonly from: string | null;
  readonly to: string;
}

/** Parses "--to-offset" values: "<partition>=<offset>" (every topic) or "<topic>:<partition>=<offset>", comma-separated. */
export function parseOffsets(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(?:(.+):)?(\d+)=(\d+)$/.exec(part);
    if (!match) throw new Error(`--to-offset: "${part}" is not <partition>=<offset> or <topic>:<partition>=<offset>`);
    map.set(`${match[1] ?? '*'}:${match[2]}`, match[3]!);
  }
  return map;
}

/** The offsets a replay would set; throws GroupBusyError while the group has live members. */
export async function planReplay(admin: Admin, groupId: string, topics: readonly string[], target: ReplayTarget): Promise<ReplayStep[]> {
  const { groups } = await admin.describeGroups([groupId]);
  const members = groups[0]?.members ?? [];
  if (members.length > 0) {
    throw new GroupBusyError(
      `group ${groupId} has ${members.length} live member(s) (${members.map((m) => `${m.clientId}@${m.clientHost}`).join(', ')}): stop those Reativa processes first, then replay`,
    );
  }
  const lag = await groupLag(admin, groupId, topics);
  const steps: ReplayStep[] = [];
  for (const topic of new Set(lag.map((l) => l.topic))) {
    const ends = await admin.fetchTopicOffsets(topic);
    const byTime = target.kind === 'datetime' ? await admin.fetchTopicOffsetsByTimestamp(topic, target.at) : [];
    for (const end of ends) {
      const current = lag.find((l) => l.topic === topic && l.partition === end.partition)?.committed ?? null;
      let to: string | undefined;
      if (target.kind === 'earliest') to = end.low;
      else if (target.kind === 'datetime') to = byTime.find((p) => p.partition === end.partition)?.offset ?? end.high;
      else to = target.offsets.get(`${topic}:${end.partition}`) ?? target.offsets.get(`*:${end.partition}`);
      // A timestamp past the last record answers -1: nothing to replay there.
      if (to === '-1') to = end.high;
      if (to !== undefined) steps.push({ topic, partition: end.partition, from: current, to });
    }
  }
  return steps;
}

/**
 * Commits offsets for a group that has no running members, in one join for all
 * its topics (kafkajs' admin.setOffsets joins the group once per topic, seconds each).
 */
export async function commitGroupOffsets(kafka: Kafka, groupId: string, offsets: readonly { topic: string; partition: number; offset: string }[]): Promise<void> {
  if (offsets.length === 0) return;
  const topics = [...new Set(offsets.map((o) => o.topic))];
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics });
    // Nothing is processed or resolved: the consumer only holds the group while we commit.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    consumer.pause(topics.map((topic) => ({ topic })));
    await waitFor(`group ${groupId} to be joined`, async () => joined, { timeoutMs: 60_000, intervalMs: 20 });
    await consumer.commitOffsets(offsets.map((o) => ({ ...o })));
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Commits a group's offsets at the current end of its topics (those that
 * exist), so a new group starts with what is written from now on, without the
 * race of "latest" being resolved after the first write. Tests and the
 * benchmarks use it for their fresh groups.
 */
export async function positionAtEnd(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets: { topic: string; partition: number; offset: string }[] = [];
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of topics.filter((t) => existing.has(t))) {
      for (const end of await admin.fetchTopicOffsets(topic)) offsets.push({ topic, partition: end.partition, offset: end.high });
    }
  } finally {
    await admin.disconnect();
  }
  await commitGroupOffsets(kafka, groupId, offsets);
}

export async function applyReplay(kafka: Kafka, groupId: string, steps: readonly ReplayStep[]): Promise<void> {
  await commitGroupOffsets(kafka, groupId, steps.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.to })));
}
