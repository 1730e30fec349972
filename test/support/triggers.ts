// Reading reativa.triggers in tests: Avro-decoded trigger events with their body parsed.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { TOPICS } from '../../src/kafka/topics.js';
import type { Body, TriggerEvent } from '../../src/mapping/trigger.js';
import { TopicReader } from './harness.js';

export type DecodedEvent = TriggerEvent & { body: Body };

export function triggerReader(kafka: Kafka, registry: SchemaRegistry, topic: string = TOPICS.triggers): TopicReader<DecodedEvent> {
  return new TopicReader<DecodedEvent>(kafka, [topic], async (value) => {
    const record = (await registry.decode(value!)) as Omit<TriggerEvent, 'body'> & { body: string };
    return { ...record, body: JSON.parse(record.body) as Body } as DecodedEvent;
  });
}
