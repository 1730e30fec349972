// Avro through Apicurio's Confluent-compatible API: a topic contract's schema
// registers through @kafkajs/confluent-schema-registry, and a record encoded by
// Reativa's codec round-trips through Kafka (encode → produce → consume →
// decode), readable by the registry client too.
import { createProducer } from '../../src/kafka/client.js';
import { afterAll, describe, expect, it } from 'vitest';
import { TRIGGER_EVENT, type TriggerEvent } from '../../src/contracts/trigger-event.js';
import { AvroCodec } from '../../src/kafka/avro-codec.js';
import { createRegistry, registeredCodec } from '../../src/kafka/registry.js';
import { createTestTopic, settings, testKafka, TopicReader, unique } from '../support/harness.js';

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
  it('registers one subject from several processes at once: each gets the same schema id', async () => {
    // Apicurio refuses concurrent writes of a new subject's compatibility rule; registeredCodec tries again.
    for (let round = 0; round < 3; round++) {
      const subjectTopic = unique('test.avro-race');
      const codecs = await Promise.all(Array.from({ length: 5 }, () => registeredCodec(registry, TRIGGER_EVENT, subjectTopic)));
      const ids = new Set(codecs.map((c) => c.schemaId));
      expect(ids.size).toBe(1);
      expect([...ids][0]).toBeGreaterThan(0);
    }
  });

  it('registers schemas/trigger-event.avsc and round-trips a record through Kafka', async () => {
    const codec = new AvroCodec(registry, TRIGGER_EVENT);
    const id = await codec.register(topic);
    expect(id).toBeGreaterThan(0);
    // Registering the same schema again is idempotent: same id.
    expect(await new AvroCodec(registry, TRIGGER_EVENT).register(topic)).toBe(id);

    const event: TriggerEvent = {
      eventId: unique('evt'),
      kind: 'contract_change',
      entity: null,
      action: 'update',
      aggregateKey: 'contract:42',
      contractId: 42,
      companyId: 1,
      integratorId: null,
      source: { table: 'contracts', lsn: 123456, txId: 789, primaryKey: '{"id":42}', op: 'u', committedAt: Date.parse('2026-11-29T10:00:00.000Z') },
      body: { CompanyId: 1, CompanyTxId: '12.123.123/0001-14', ActionType: 1 },
    };
    const encoded = codec.encode(event);
    // Confluent wire format: magic byte 0, then the 4-byte schema id.
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);

    const admin = kafka.admin();
    await admin.connect();
    await createTestTopic(admin, topic);
    await admin.disconnect();
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: event.aggregateKey, value: encoded }] });
    await producer.disconnect();

    reader = await new TopicReader<unknown>(kafka, [topic], (value) => value, 'beginning').start();
    const [read] = (await reader.waitFor(() => true, 1, 10_000)) as Buffer[];
    // A fresh codec fetches the writer schema by its id; the registry client reads the same record.
    expect(await new AvroCodec(registry, TRIGGER_EVENT).decode(read!)).toEqual(event);
    expect(await registry.decode(read!)).toEqual(TRIGGER_EVENT.toRecord(event));
  });
});
