// The stages of the pipeline, by name: each one's consumer groups and the
// topics each group reads. `reativa start`, `lag` and `replay` read this list
// rather than keeping lists of their own.
import { changeLogTopic } from '../capture/tables.js';
import { DEFAULT_NAMESPACE, reativaTopics, retryTopicSpecs, type ReativaTopics } from '../kafka/topics.js';

export const STAGE_NAMES = ['mapper', 'routing', 'delivery'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** Each stage's consumer group in a namespace: <namespace>-mapper, -routing, -delivery. */
export const groupsOf = (namespace: string): Record<StageName, string> => ({
  mapper: `${namespace}-mapper`,
  routing: `${namespace}-routing`,
  delivery: `${namespace}-delivery`,
});

export const DEFAULT_GROUPS = groupsOf(DEFAULT_NAMESPACE);

/** The retry group of a delivery group: the same id with -retry. */
export const retryGroupOf = (deliveryGroup: string) => `${deliveryGroup}-retry`;

/** The mapper's group for changes redriven from the dead letters: the same id with -redrive. */
export const redriveGroupOf = (mapperGroup: string) => `${mapperGroup}-redrive`;

/** The group of a mapper's state applier: one per state store, since each store reads the whole change log (stages/mapper/applier.ts). */
export const stateGroupOf = (mapperGroup: string, storeId: string) => `${mapperGroup}-state-${storeId}`;

export interface ConsumerGroupSpec {
  readonly stage: StageName;
  readonly groupId: string;
  readonly topics: readonly string[];
}

export interface StageTopology {
  /** Debezium's topic.prefix: the change log is <prefix>.changes. */
  readonly changeTopicPrefix: string;
  /** Steps of the delivery retry schedule: one retry topic each. */
  readonly retrySteps: number;
  /** Reativa's topics (their namespace also names the groups); the default namespace when absent. */
  readonly topics?: ReativaTopics;
  /** Group ids when not the defaults (a second environment, a test). */
  readonly groups?: Partial<Record<StageName, string>>;
}

/** Every consumer group of a stage, with the topics it reads. */
export function stageGroups(stage: StageName, topology: StageTopology): ConsumerGroupSpec[] {
  const topics = topology.topics ?? reativaTopics();
  const groupId = topology.groups?.[stage] ?? groupsOf(topics.namespace)[stage];
  switch (stage) {
    case 'mapper':
      return [
        { stage, groupId, topics: [changeLogTopic(topology.changeTopicPrefix)] },
        { stage, groupId: redriveGroupOf(groupId), topics: [topics.changesRedrive] },
      ];
    case 'routing':
      return [{ stage, groupId, topics: [topics.triggers] }];
    case 'delivery':
      return [
        { stage, groupId, topics: [topics.deliveries] },
        { stage, groupId: retryGroupOf(groupId), topics: retryTopicSpecs(topics, topology.retrySteps).map((s) => s.topic) },
      ];
  }
}

/** Every consumer group of every stage. */
export const allGroups = (topology: StageTopology): ConsumerGroupSpec[] => STAGE_NAMES.flatMap((stage) => stageGroups(stage, topology));
