// Operations: consumer lag and replay by offset reset (the dead letters are dlq.ts).
// Both reach Kafka through services.ts: within seconds, or one line saying why not.
import type { Command } from 'commander';
import type { Admin } from 'kafkajs';
import { changeLogTopic } from '../capture/tables.js';
import { InputError } from '../errors/input-error.js';
import { applyReplay, groupLag, parseOffsets, planReplay, type PartitionLag, type ReplayStep, type ReplayTarget } from '../kafka/groups.js';
import { loadSettings, type Settings } from '../settings.js';
import { allGroups, STAGE_NAMES, stageGroups, stateGroupOf, type ConsumerGroupSpec, type StageName } from '../stages/registry.js';
import { topicsOf } from '../stages/topics.js';
import { commandKafka, confirmed, connectAdmin } from './services.js';

interface GroupNames {
  mapperGroup?: string;
  routingGroup?: string;
  deliveryGroup?: string;
}

const topology = (settings: Settings, names: GroupNames = {}) => ({
  changeTopicPrefix: settings.topicPrefix,
  retrySteps: settings.delivery.retryScheduleMs.length,
  topics: topicsOf(settings),
  groups: {
    ...(names.mapperGroup ? { mapper: names.mapperGroup } : {}),
    ...(names.routingGroup ? { routing: names.routingGroup } : {}),
    ...(names.deliveryGroup ? { delivery: names.deliveryGroup } : {}),
  },
});

/** One consumer group's lag, as `lag` reports it. */
export interface GroupLagReport {
  readonly stage: StageName;
  readonly groupId: string;
  /** Kafka's group state: Stable (members joined), Empty (none), Dead (never committed), … */
  readonly state: string;
  readonly members: number;
  readonly partitions: readonly PartitionLag[];
}

/** The lines `lag` prints: each group's total, then its partitions behind (every partition with --all). */
export function lagLines(reports: readonly GroupLagReport[], all: boolean): string[] {
  const lines: string[] = [];
  for (const r of reports) {
    const total = r.partitions.reduce((sum, p) => sum + p.lag, 0);
    lines.push(`${r.groupId} (${r.stage}, ${r.state.toLowerCase()}, ${r.members} member(s)): lag ${total}`);
    for (const p of r.partitions.filter((x) => all || x.lag > 0)) lines.push(`  ${p.topic}[${p.partition}] committed ${p.committed ?? '-'} end ${p.end} lag ${p.lag}`);
  }
  return lines;
}

/** What `lag --json` prints: one row per group and partition (only those behind, unless --all). */
export function lagRows(reports: readonly GroupLagReport[], all: boolean) {
  return reports.flatMap((r) =>
    r.partitions
      .filter((p) => all || p.lag > 0)
      .map((p) => ({ group: r.groupId, stage: r.stage, state: r.state, members: r.members, topic: p.topic, partition: p.partition, committed: p.committed, end: p.end, lag: p.lag })),
  );
}

/**
 * Every group of the namespace's stages (their custom names when given): the
 * mapper's and its redrive group, routing's, delivery's and its retry group,
 * and the state-store groups of the mappers that ran (one per store, found by name).
 */
async function groupsToReport(admin: Admin, settings: Settings, names: GroupNames): Promise<ConsumerGroupSpec[]> {
  const t = topology(settings, names);
  const specs = allGroups(t);
  const mapperGroup = specs.find((g) => g.stage === 'mapper')!.groupId;
  const statePrefix = stateGroupOf(mapperGroup, '');
  const { groups } = await admin.listGroups();
  const stateGroups = groups
    .map((g) => g.groupId)
    .filter((id) => id.startsWith(statePrefix))
    .sort()
    .map((groupId): ConsumerGroupSpec => ({ stage: 'mapper', groupId, topics: [changeLogTopic(settings.topicPrefix)] }));
  return [...specs, ...stateGroups];
}

const groupOptions = (command: Command) =>
  command
    .option('--mapper-group <id>', 'the mapper\'s consumer group, when `reativa start` was given one (default <namespace>-mapper)')
    .option('--routing-group <id>', 'routing\'s consumer group, when `reativa start` was given one (default <namespace>-routing)')
    .option('--delivery-group <id>', 'delivery\'s consumer group, when `reativa start` was given one; its retry group adds -retry (default <namespace>-delivery)');

export function registerOps(program: Command): void {
  groupOptions(
    program
      .command('lag')
      .description(
        "every Reativa consumer group's lag per partition: the mapper (its redrive and state-store groups too), routing, delivery and its retry group; partitions at zero lag are left out unless --all",
      ),
  )
    .option('--all', 'show every partition, those at zero lag too')
    .option('--json', 'print one JSON array (a row per group and partition) and nothing else')
    .action(async (options: GroupNames & { all?: boolean; json?: boolean }) => {
      const settings = loadSettings();
      const kafka = commandKafka(settings);
      const admin = await connectAdmin(settings, kafka);
      try {
        const specs = await groupsToReport(admin, settings, options);
        const { groups } = await admin.describeGroups(specs.map((g) => g.groupId));
        const reports: GroupLagReport[] = [];
        for (const spec of specs) {
          const described = groups.find((g) => g.groupId === spec.groupId);
          reports.push({ stage: spec.stage, groupId: spec.groupId, state: described?.state ?? 'Unknown', members: described?.members.length ?? 0, partitions: await groupLag(admin, spec.groupId, spec.topics) });
        }
        if (options.json) console.log(JSON.stringify(lagRows(reports, options.all === true)));
        else for (const line of lagLines(reports, options.all === true)) console.log(line);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    });

  program
    .command('replay')
    .description(
      "move a stage's committed offsets back (or to any point), to process again: prints the plan and asks before changing anything (--yes: do not ask); refuses while the group has live members",
    )
    .requiredOption('--group <stage>', `the stage: one of ${STAGE_NAMES.join(', ')}`)
    .option('--group-id <id>', 'the consumer group, when `reativa start` was given a custom one (default <namespace>-<stage>)')
    .option('--to-datetime <iso>', 'the first record at or after this time')
    .option('--to-earliest', 'the oldest retained record')
    .option('--to-offset <list>', '"<partition>=<offset>" or "<topic>:<partition>=<offset>", comma-separated')
    .option('--dry-run', 'print the plan, change nothing')
    .option('--yes', 'do not ask (needed when stdin is not a terminal)')
    .option('--json', 'print the plan as JSON (with --dry-run: and nothing else)')
    .action(async (options: { group: string; groupId?: string; toDatetime?: string; toEarliest?: boolean; toOffset?: string; dryRun?: boolean; yes?: boolean; json?: boolean }) => {
      if (!(STAGE_NAMES as readonly string[]).includes(options.group)) throw new InputError(`--group must be one of ${STAGE_NAMES.join(', ')}`);
      const stage = options.group as StageName;
      const target = replayTarget(options);
      const settings = loadSettings();
      if (stage === 'mapper') refuseBeyondHistory(target, settings.state.historyMs);
      // A stage's first group is the one replay moves (delivery's retry group keeps its due times).
      const t = topology(settings);
      const { groupId, topics } = stageGroups(stage, { ...t, groups: options.groupId ? { [stage]: options.groupId } : {} })[0]!;
      const kafka = commandKafka(settings);
      const admin = await connectAdmin(settings, kafka);
      try {
        const steps = await planReplay(admin, groupId, topics, target);
        if (options.json) console.log(JSON.stringify({ group: groupId, steps }));
        else for (const line of replayLines(groupId, steps)) console.log(line);
        if (options.dryRun) {
          if (!options.json) console.log('dry run: nothing changed');
          return;
        }
        if (steps.length === 0) {
          console.log('nothing to change');
          return;
        }
        if (!(await confirmed(`set the offsets of ${groupId} on ${steps.length} partition(s) as above`, options.yes === true))) return;
        await applyReplay(kafka, groupId, steps);
        console.log(`offsets set for ${steps.length} partition(s); start Reativa to process from there`);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    });
}

/** The one target a replay's options name. */
export function replayTarget(options: { toDatetime?: string; toEarliest?: boolean; toOffset?: string }): ReplayTarget {
  const chosen = [options.toDatetime, options.toEarliest, options.toOffset].filter((x) => x !== undefined);
  if (chosen.length !== 1) throw new InputError('give exactly one of --to-datetime, --to-earliest, --to-offset');
  if (options.toEarliest) return { kind: 'earliest' };
  if (options.toDatetime !== undefined) {
    const at = Date.parse(options.toDatetime);
    if (Number.isNaN(at)) throw new InputError(`--to-datetime: "${options.toDatetime}" is not an ISO date-time`);
    return { kind: 'datetime', at };
  }
  try {
    return { kind: 'offsets', offsets: parseOffsets(options.toOffset!) };
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}

/** The plan as printed: each partition's committed offset and where it would go. */
export function replayLines(groupId: string, steps: readonly ReplayStep[]): string[] {
  return steps.map((s) => `${groupId} ${s.topic}[${s.partition}]: ${s.from ?? '(none)'} -> ${s.to}`);
}

/**
 * The mapper builds bodies from its state store, which keeps every version for
 * REATIVA_CHANGE_LOG_HISTORY (the change log keeps every change for as long):
 * a replay from further back would build them from compacted state, so it is refused.
 */
export function refuseBeyondHistory(target: ReplayTarget, historyMs: number, now = Date.now()): void {
  const horizon = now - historyMs;
  if (target.kind === 'earliest' || (target.kind === 'datetime' && target.at < horizon)) {
    throw new InputError(
      `the mapper's history reaches back to ${new Date(horizon).toISOString()} (REATIVA_CHANGE_LOG_HISTORY): a replay from further back would not give the same bodies; replay routing or delivery instead, or pick a later --to-datetime`,
    );
  }
}
