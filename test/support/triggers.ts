// Reading reativa.triggers in tests: Avro-decoded trigger events with their body parsed.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { TOPICS } from '../../src/kafka/topics.js';
import { decodeTriggerEvent } from '../../src/mapping/runner.js';
import type { Body, TriggerEvent } from '../../src/mapping/trigger.js';
import { TopicReader } from './harness.js';

export type DecodedEvent = TriggerEvent & { body: Body };

export function triggerReader(kafka: Kafka, registry: SchemaRegistry, topic: string = TOPICS.triggers): TopicReader<DecodedEvent> {
  return new TopicReader<DecodedEvent>(kafka, [topic], (value) => decodeTriggerEvent(registry, value!));
}
