// Operations: consumer lag and replay by offset reset (the dead letters are dlq.ts).
import type { Command } from 'commander';
import { InputError } from '../errors/input-error.js';
import { createKafka } from '../kafka/client.js';
import { applyReplay, groupLag, parseOffsets, planReplay, type ReplayTarget } from '../kafka/groups.js';
import { createLogger } from '../log.js';
import { loadSettings, type Settings } from '../settings.js';
import { allGroups, STAGE_NAMES, stageGroups, type StageName } from '../stages/registry.js';
import { topicsOf } from '../stages/topics.js';

const topology = (settings: Settings) => ({ changeTopicPrefix: settings.topicPrefix, retrySteps: settings.delivery.retryScheduleMs.length, topics: topicsOf(settings) });

function kafkaFromSettings() {
  const settings = loadSettings();
  return { settings, kafka: createKafka(settings, createLogger('error')) };
}

export function registerOps(program: Command): void {
  program
    .command('lag')
    .description("each Reativa consumer group's lag per partition")
    .action(async () => {
      const { settings, kafka } = kafkaFromSettings();
      const admin = kafka.admin();
      await admin.connect();
      try {
        for (const { groupId, topics } of allGroups(topology(settings))) {
          const rows = await groupLag(admin, groupId, topics);
          const total = rows.reduce((sum, r) => sum + r.lag, 0);
          console.log(`${groupId}: lag ${total}`);
          for (const r of rows.filter((x) => x.lag > 0)) console.log(`  ${r.topic}[${r.partition}] committed ${r.committed ?? '-'} end ${r.end} lag ${r.lag}`);
        }
      } finally {
        await admin.disconnect();
      }
    });

  program
    .command('replay')
    .description("move a group's committed offsets back (or to any point), to process again; refuses while the group has live members")
    .requiredOption('--group <name>', `one of: ${STAGE_NAMES.join(', ')}`)
    .option('--to-datetime <iso>', 'the first record at or after this time')
    .option('--to-earliest', 'the oldest retained record')
    .option('--to-offset <list>', '"<partition>=<offset>" or "<topic>:<partition>=<offset>", comma-separated')
    .option('--dry-run', 'print the plan, change nothing')
    .action(async (options: { group: string; toDatetime?: string; toEarliest?: boolean; toOffset?: string; dryRun?: boolean }) => {
      if (!(STAGE_NAMES as readonly string[]).includes(options.group)) throw new InputError(`--group must be one of ${STAGE_NAMES.join(', ')}`);
      const chosen = [options.toDatetime, options.toEarliest, options.toOffset].filter((x) => x !== undefined);
      if (chosen.length !== 1) throw new InputError('give exactly one of --to-datetime, --to-earliest, --to-offset');
      let target: ReplayTarget;
      if (options.toEarliest) target = { kind: 'earliest' };
      else if (options.toDatetime) {
        const at = Date.parse(options.toDatetime);
        if (Number.isNaN(at)) throw new InputError(`--to-datetime: "${options.toDatetime}" is not an ISO date-time`);
        target = { kind: 'datetime', at };
      } else target = { kind: 'offsets', offsets: parseOffsets(options.toOffset!) };
      const { settings, kafka } = kafkaFromSettings();
      if (options.group === 'mapper') refuseBeyondHistory(target, settings.state.historyMs);
      // A stage's first group is the one replay moves (delivery's retry group keeps its due times).
      const { groupId, topics } = stageGroups(options.group as StageName, topology(settings))[0]!;
      const admin = kafka.admin();
      await admin.connect();
      try {
        const steps = await planReplay(admin, groupId, topics, target);
        for (const s of steps) console.log(`${groupId} ${s.topic}[${s.partition}]: ${s.from ?? '(none)'} -> ${s.to}`);
        if (options.dryRun) console.log('dry run: nothing changed');
        else {
          await applyReplay(kafka, groupId, steps);
          console.log(`offsets set for ${steps.length} partition(s); start Reativa to process from there`);
        }
      } finally {
        await admin.disconnect();
      }
    });
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
