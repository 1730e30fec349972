import { describe, expect, it } from 'vitest';
import { allTopicSpecs, refusalMessage, reativaTopics } from '../../../src/kafka/topics.js';

describe('the topic catalogue', () => {
  it('has the change log, every Reativa topic and one retry topic per step, keyed topics with the partitions asked for', () => {
    const topics = reativaTopics('env-a');
    const specs = allTopicSpecs({ changeTopicPrefix: 'erp', historyMs: 3_600_000, topics, retrySteps: 3, partitions: 6 });
    const names = specs.map((s) => s.topic);
    expect(names).toEqual(['erp.changes', 'env-a.triggers', 'env-a.triggers.dlq', 'env-a.deliveries', 'env-a.deliveries.dlq', 'env-a.alerts', 'env-a.config', 'env-a.changes.redrive', 'env-a.deliveries.retry.1', 'env-a.deliveries.retry.2', 'env-a.deliveries.retry.3']);
    const partitions = Object.fromEntries(specs.map((s) => [s.topic, s.numPartitions]));
    expect(partitions['erp.changes']).toBe(1);
    expect(partitions['env-a.triggers']).toBe(6);
    expect(partitions['env-a.deliveries']).toBe(6);
    expect(partitions['env-a.deliveries.retry.3']).toBe(6);
    expect(partitions['env-a.config']).toBe(1);
  });
});

describe('refusalMessage', () => {
  it('says the replication factor is larger than the cluster, with the number to set, and the reason once', () => {
    const topics = ['a.triggers', 'a.deliveries'];
    const message = refusalMessage({ topics, replicationFactor: 3, brokers: 1, reasons: topics.map((topic) => ({ topic, message: 'Replication-factor is invalid' })) });
    expect(message).toBe(
      'the Kafka cluster refused to create 2 topics (a.triggers, a.deliveries) with replication factor 3: Replication-factor is invalid. REATIVA_TOPIC_REPLICATION_FACTOR is 3 but the cluster has 1 broker: set it to 1 or less',
    );
  });

  it('names the topics of a reason that is not every topic, and points at the settings and permissions otherwise', () => {
    const message = refusalMessage({
      topics: ['a.triggers', 'a.config'],
      replicationFactor: 3,
      brokers: 3,
      reasons: [
        { topic: 'a.triggers', message: 'Topic authorization failed' },
        { topic: 'a.config', message: 'Policy violation' },
      ],
    });
    expect(message).toContain('Topic authorization failed (a.triggers); Policy violation (a.config)');
    expect(message).toContain('check REATIVA_TOPIC_REPLICATION_FACTOR and REATIVA_TOPIC_PARTITIONS');
  });

  it('points at the settings when the broker count is unknown', () => {
    const message = refusalMessage({ topics: ['a.alerts'], replicationFactor: 2, brokers: undefined, reasons: [{ topic: 'a.alerts', message: 'Replication-factor is invalid' }] });
    expect(message).toContain('refused to create 1 topic (a.alerts) with replication factor 2: Replication-factor is invalid.');
    expect(message).toContain('REATIVA_TOPIC_REPLICATION_FACTOR');
  });
});
