// Consumer groups as operators see them: lag per partition, and offset resets
// (replay) that refuse to run while the group has live members.
import type { Admin } from 'kafkajs';
import { changeTopic } from '../capture/tables.js';
import { MAPPED_TABLES } from '../mapping/table-map.js';
import { TOPICS } from './topics.js';

export const GROUP_NAMES = ['mapper', 'routing', 'delivery'] as const;
export type GroupName = (typeof GROUP_NAMES)[number];

export function groupTopics(name: GroupName, topicPrefix: string): { groupId: string; topics: string[] } {
  switch (name) {
    case 'mapper':
      return { groupId: 'reativa-mapper', topics: MAPPED_TABLES.map((t) => changeTopic(topicPrefix, t)) };
    case 'routing':
      return { groupId: 'reativa-routing', topics: [TOPICS.triggers] };
    case 'delivery':
      return { groupId: 'reativa-delivery', topics: [TOPICS.deliveries] };
  }
}

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

export class GroupBusyError extends Error {}

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

export async function applyReplay(admin: Admin, groupId: string, steps: readonly ReplayStep[]): Promise<void> {
  for (const topic of new Set(steps.map((s) => s.topic))) {
    await admin.setOffsets({ groupId, topic, partitions: steps.filter((s) => s.topic === topic).map((s) => ({ partition: s.partition, offset: s.to })) });
  }
}
