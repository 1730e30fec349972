// Reading reativa.triggers in tests: Avro-decoded trigger events with their body parsed.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { TRIGGER_EVENT } from '../../src/contracts/trigger-event.js';
import { AvroCodec } from '../../src/kafka/avro-codec.js';
import type { Body } from '../../src/contracts/contract.js';
import type { TriggerEvent } from '../../src/contracts/trigger-event.js';
import { TopicReader } from './harness.js';

export type DecodedEvent = TriggerEvent & { body: Body };

export function triggerReader(kafka: Kafka, registry: SchemaRegistry, topic: string, from: 'end' | 'beginning' = 'end'): TopicReader<DecodedEvent> {
  const codec = new AvroCodec(registry, TRIGGER_EVENT);
  return new TopicReader<DecodedEvent>(kafka, [topic], (value) => codec.decode(value!), from);
}
