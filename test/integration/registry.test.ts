// Avro through Apicurio's Confluent-compatible API: a schema from schemas/
// registers with @kafkajs/confluent-schema-registry and a record round-trips
// through Kafka (encode → produce → consume → decode).
import { afterAll, describe, expect, it } from 'vitest';
import { Partitioners } from 'kafkajs';
import { createRegistry, readAvroSchema, registerValueSchema } from '../../src/kafka/registry.js';
import { settings, testKafka, TopicReader, unique } from '../support/harness.js';

const kafka = testKafka();
const registry = createRegistry(settings.schemaRegistryUrl);
const topic = unique('test.avro');
let reader: TopicReader<unknown> | undefined;

afterAll(async () => {
  await reader?.stop();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

describe('schema registry', () => {
  it('registers schemas/trigger-event.avsc and round-trips a record through Kafka', async () => {
    const id = await registerValueSchema(registry, topic, readAvroSchema('trigger-event'));
    expect(id).toBeGreaterThan(0);
    // Registering the same schema again is idempotent: same id.
    expect(await registerValueSchema(registry, topic, readAvroSchema('trigger-event'))).toBe(id);

    const record = {
      eventId: unique('evt'),
      kind: 'contract_change',
      entity: null,
      action: 'update',
      aggregateKey: 'contract:42',
      contractId: 42,
      companyId: 1,
      integratorId: null,
      source: { table: 'contracts', lsn: 123456, txId: 789, primaryKey: '{"id":42}', op: 'u', committedAt: Date.parse('2026-11-29T10:00:00.000Z') },
      body: JSON.stringify({ CompanyId: 1, CompanyTxId: '12.123.123/0001-14', ActionType: 1 }),
    };
    const encoded = await registry.encode(id, record);
    // Confluent wire format: magic byte 0, then the 4-byte schema id.
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);

    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: record.aggregateKey, value: encoded }] });
    await producer.disconnect();

    reader = await new TopicReader<unknown>(kafka, [topic], (value) => registry.decode(value!)).start();
    const [decoded] = await reader.waitFor(() => true, 1, 10_000);
    expect(decoded).toEqual(record);
  });
});
