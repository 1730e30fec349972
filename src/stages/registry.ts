// The stages of the pipeline, by name: each one's consumer groups and the
// topics each group reads. `reativa start`, `lag` and `replay` read this list
// rather than keeping lists of their own.
import { changeTopic } from '../capture/tables.js';
import { retryTopicSpecs, TOPICS } from '../kafka/topics.js';
import { MAPPED_TABLES } from '../mapping/table-map.js';

export const STAGE_NAMES = ['mapper', 'routing', 'delivery'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export const DEFAULT_GROUPS: Record<StageName, string> = {
  mapper: 'reativa-mapper',
  routing: 'reativa-routing',
  delivery: 'reativa-delivery',
};

/** The retry group of a delivery group: the same id with -retry. */
export const retryGroupOf = (deliveryGroup: string) => `${deliveryGroup}-retry`;

export interface ConsumerGroupSpec {
  readonly stage: StageName;
  readonly groupId: string;
  readonly topics: readonly string[];
}

export interface StageTopology {
  /** Debezium's topic.prefix: the change topics are <prefix>.public.<table>. */
  readonly changeTopicPrefix: string;
  /** Steps of the delivery retry schedule: one retry topic each. */
  readonly retrySteps: number;
  /** Group ids when not the defaults (a second environment, a test). */
  readonly groups?: Partial<Record<StageName, string>>;
}

/** Every consumer group of a stage, with the topics it reads. */
export function stageGroups(stage: StageName, topology: StageTopology): ConsumerGroupSpec[] {
  const groupId = topology.groups?.[stage] ?? DEFAULT_GROUPS[stage];
  switch (stage) {
    case 'mapper':
      return [{ stage, groupId, topics: MAPPED_TABLES.map((t) => changeTopic(topology.changeTopicPrefix, t)) }];
    case 'routing':
      return [{ stage, groupId, topics: [TOPICS.triggers] }];
    case 'delivery':
      return [
        { stage, groupId, topics: [TOPICS.deliveries] },
        { stage, groupId: retryGroupOf(groupId), topics: retryTopicSpecs(topology.retrySteps).map((s) => s.topic) },
      ];
  }
}

/** Every consumer group of every stage. */
export const allGroups = (topology: StageTopology): ConsumerGroupSpec[] => STAGE_NAMES.flatMap((stage) => stageGroups(stage, topology));
