// `reativa dlq` on the real stack, run as the operator runs it (a child
// process, in the test's namespace): dead letters of every kind are listed,
// a redrive asks first, sends each letter's original bytes back to the stage
// that gave up on it, marks what it sent so a second run sends nothing, and a
// change sent back to the mapper yields the very events it yielded first.
import type { Admin, Kafka, KafkaMessage, Consumer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeChange } from '../../src/capture/envelope.js';
import { deliveryDeadLetterRecord, recordDeadLetter, type DeliveryDeadLetter, type OutgoingRecord } from '../../src/contracts/dead-letter.js';
import { TRIGGER_EVENT, type TriggerEvent } from '../../src/contracts/trigger-event.js';
import { AvroCodec } from '../../src/kafka/avro-codec.js';
import { createProducer } from '../../src/kafka/client.js';
import { commitGroupOffsets } from '../../src/kafka/groups.js';
import { waitFor } from '../../src/util/wait.js';
import { erpPool, seedParty, settings, unique } from '../support/harness.js';
import { changeLog, one, startPipeline, type Pipeline } from '../support/pipeline.js';
import { runReativa } from '../support/processes.js';

const pool = erpPool();
const reativaDb = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 2 });
let pipeline: Pipeline;
let admin: Admin;
let raw: RawReader;

interface Seen {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** Every record written to some topics from now on, as read (bytes, headers), and how far it has read. */
class RawReader {
  readonly records: Seen[] = [];
  private readonly start = new Map<string, bigint>();
  private readonly seen = new Map<string, bigint>();
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
  ) {}

  async begin(): Promise<this> {
    const groupId = unique('test-dlq-reader');
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const topic of this.topics) {
      for (const end of await admin.fetchTopicOffsets(topic)) {
        offsets.push({ topic, partition: end.partition, offset: end.high });
        this.start.set(`${topic}:${end.partition}`, BigInt(end.high));
      }
    }
    await commitGroupOffsets(this.kafka, groupId, offsets);
    this.consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        this.records.push({ topic, partition, message });
        this.seen.set(`${topic}:${partition}`, BigInt(message.offset) + 1n);
      },
    });
    return this;
  }

  /** Waits until everything the topics hold now has been read: a count taken then is exact. */
  async caughtUp(topics: readonly string[]): Promise<void> {
    const ends = await Promise.all(topics.map(async (topic) => ({ topic, ends: await admin.fetchTopicOffsets(topic) })));
    await waitFor(
      `the reader to reach the end of ${topics.join(', ')}`,
      async () =>
        ends.every(({ topic, ends: partitions }) =>
          partitions.every((p) => {
            const key = `${topic}:${p.partition}`;
            return BigInt(p.high) <= (this.seen.get(key) ?? this.start.get(key) ?? 0n);
          }),
        ),
      { timeoutMs: 20_000, intervalMs: 50 },
    );
  }

  on(topic: string): Seen[] {
    return this.records.filter((r) => r.topic === topic);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();

/** `reativa dlq <args>` in the test's namespace, stdin not a terminal. */
const dlq = (...args: string[]) => runReativa(['dlq', ...args], { REATIVA_NAMESPACE: pipeline.topics.namespace });

interface ListedLetter {
  id: string;
  stage: string;
  redrivable: boolean;
  target: string | null;
  notRedrivable: string | null;
  redriven: { at: string; topic: string } | null;
}

async function listJson(...args: string[]): Promise<ListedLetter[]> {
  const run = await dlq('list', '--json', ...args);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as ListedLetter[];
}

/** What sits in the target topics with a reativa-redriven-from header: records sent back by `dlq redrive`. */
async function redriven(): Promise<Seen[]> {
  const { topics } = pipeline;
  await raw.caughtUp([topics.changesRedrive, topics.triggers, topics.deliveries]);
  return [topics.changesRedrive, topics.triggers, topics.deliveries].flatMap((t) => raw.on(t)).filter((r) => header(r.message, 'reativa-redriven-from') !== undefined);
}

async function marks(): Promise<number> {
  const { rows } = await reativaDb.query<{ n: string }>('SELECT count(*) AS n FROM reativa.dead_letter_redrives WHERE dlq_topic = ANY($1::text[])', [
    [pipeline.topics.triggersDlq, pipeline.topics.deliveriesDlq],
  ]);
  return Number(rows[0]!.n);
}

/** Writes a dead letter as a stage would, acknowledged; its id as `dlq` names it. */
async function write(topic: string, letter: OutgoingRecord, name: 'triggers' | 'deliveries'): Promise<string> {
  const producer = createProducer(pipeline.kafka);
  await producer.connect();
  try {
    const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: letter.key, value: letter.value, headers: letter.headers }] });
    return `${name}:${meta!.partition}:${meta!.baseOffset}`;
  } finally {
    await producer.disconnect();
  }
}

const triggerCodec = () => new AvroCodec(pipeline.registry, TRIGGER_EVENT);
let codec: ReturnType<typeof triggerCodec>;

beforeAll(async () => {
  pipeline = await startPipeline(pool);
  admin = pipeline.kafka.admin();
  await admin.connect();
  codec = triggerCodec();
  const { topics } = pipeline;
  raw = await new RawReader(pipeline.kafka, [changeLog(), topics.triggers, topics.changesRedrive, topics.deliveries]).begin();
});

afterAll(async () => {
  await raw?.stop();
  if (pipeline) {
    const { triggersDlq, deliveriesDlq, namespace } = pipeline.topics;
    await reativaDb.query('DELETE FROM reativa.dead_letter_redrives WHERE dlq_topic = ANY($1::text[])', [[triggersDlq, deliveriesDlq, `${namespace}.gone.dlq`]]).catch(() => undefined);
  }
  await admin?.disconnect();
  await pipeline?.stop();
  await Promise.all([pool.end(), reativaDb.end()]);
});

describe('reativa dlq', () => {
  it('lists dead letters of every stage, and redrives them once, asking first, with their original bytes', async () => {
    const { topics } = pipeline;

    // A real change: a contract inserted in the ERP, its record in the change log, and the events the mapper made of it.
    const { companyId, clientId } = await seedParty(pool);
    const contractId = one(
      (
        await pool.query<{ id: string }>(
          "INSERT INTO contracts (company_id, client_id, contract_number, stage, status, negotiation_id) VALUES ($1, $2, $3, 'approved', 'normal', $4) RETURNING id",
          [companyId, clientId, unique('C'), unique('N')],
        )
      ).rows,
    );
    const isOurs = (r: Seen) => {
      const d = decodeChange(r.message.key, r.message.value);
      return d.ok && d.change.table === 'contracts' && d.change.op === 'c' && d.change.after?.id === contractId;
    };
    const change = await waitFor('the contract insert in the change log', async () => raw.on(changeLog()).find(isOurs), { timeoutMs: 30_000, intervalMs: 100 });
    const eventsOf = async (fromMapper: boolean) => {
      const out: { record: Seen; event: TriggerEvent }[] = [];
      for (const r of raw.on(topics.triggers)) {
        if ((header(r.message, 'reativa-redriven-from') === undefined) !== fromMapper) continue;
        const event = await codec.decode(r.message.value!);
        if (event.contractId === contractId) out.push({ record: r, event });
      }
      return out;
    };
    const original = await waitFor('the events of the contract insert', async () => {
      const found = await eventsOf(true);
      return found.length >= 2 ? found : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    await raw.caughtUp([topics.triggers]);
    const originals = await eventsOf(true);

    // Dead letters as each stage writes them.
    const d = decodeChange(change.message.key, change.message.value);
    const position = d.ok ? { table: d.change.table, lsn: d.change.lsn } : null;
    const mapLetter = recordDeadLetter('map', 'teste: falha simulada ao mapear', change.topic, change.partition, change.message, position);
    const trigger = originals[0]!.record;
    const routeLetter = recordDeadLetter('route', 'trigger event not routed: teste', trigger.topic, trigger.partition, trigger.message);
    const tombstone = recordDeadLetter('decode', 'tombstone (null value)', changeLog(), 0, { key: change.message.key, value: null, offset: '1', timestamp: String(Date.now()) });
    const avro = Buffer.from([0, 0, 0, 0, 42, 0xff, 0x00, 0x80, 0xfe]);
    const deliverLetter = recordDeadLetter('deliver', 'delivery record not read: teste', topics.retry(1), 1, {
      key: Buffer.from(`90001|contract:${contractId}`),
      value: avro,
      offset: '7',
      timestamp: String(Date.now()),
      headers: { 'reativa-attempt': '2', 'reativa-due-at': '0' },
    });
    const base: Omit<DeliveryDeadLetter, 'stage'> = {
      reason: 'HTTP 500 após 3 tentativas',
      failedAt: new Date().toISOString(),
      eventId: 'evt-test',
      deliveryId: 'dl-test',
      webhookId: 90002,
      webhookName: 'teste',
      contractId,
      kind: 'standard',
      action: 'insert',
      attempts: [],
    };
    const record = Buffer.from([1, 2, 3, 0xc3, 0x28, 0xff]);
    const givenUp = deliveryDeadLetterRecord(`90002|contract:${contractId}`, { ...base, stage: 'delivery', record: record.toString('base64') });
    const refused = deliveryDeadLetterRecord(`90002|contract:${contractId}`, { ...base, stage: 'partner_rules', reason: 'cliente sem CPF', reasons: ['cliente sem CPF'] });

    const ids = {
      map: await write(topics.triggersDlq, mapLetter, 'triggers'),
      route: await write(topics.triggersDlq, routeLetter, 'triggers'),
      tombstone: await write(topics.triggersDlq, tombstone, 'triggers'),
      deliver: await write(topics.deliveriesDlq, deliverLetter, 'deliveries'),
      delivery: await write(topics.deliveriesDlq, givenUp, 'deliveries'),
      partnerRules: await write(topics.deliveriesDlq, refused, 'deliveries'),
    };
    const redrivable = [ids.map, ids.route, ids.deliver, ids.delivery];

    // list --json: every letter, its stage and where it would go; only JSON on stdout.
    const listed = await listJson();
    expect(listed.map((l) => l.id).sort()).toEqual(Object.values(ids).sort());
    const byId = new Map(listed.map((l) => [l.id, l]));
    expect(byId.get(ids.map)).toMatchObject({ stage: 'map', redrivable: true, target: topics.changesRedrive, redriven: null });
    expect(byId.get(ids.route)).toMatchObject({ stage: 'route', redrivable: true, target: topics.triggers });
    expect(byId.get(ids.deliver)).toMatchObject({ stage: 'deliver', redrivable: true, target: topics.deliveries });
    expect(byId.get(ids.delivery)).toMatchObject({ stage: 'delivery', redrivable: true, target: topics.deliveries });
    expect(byId.get(ids.tombstone)).toMatchObject({ stage: 'decode', redrivable: false, notRedrivable: expect.stringMatching(/no bytes kept/) });
    expect(byId.get(ids.partnerRules)).toMatchObject({ stage: 'partner_rules', redrivable: false, notRedrivable: expect.stringMatching(/partner's rules/) });
    expect((await listJson('--stage', 'delivery,partner_rules', '--webhook', '90002')).map((l) => l.id).sort()).toEqual([ids.delivery, ids.partnerRules].sort());
    const shown = await dlq('show', ids.map, '--json');
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: ids.map, target: topics.changesRedrive, letter: { stage: 'map', source: { topic: changeLog(), offset: change.message.offset } } });

    // --dry-run prints the plan, sends and records nothing.
    const dry = await dlq('redrive', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run: 4 record(s) would be sent; nothing sent');
    expect(dry.stdout).toContain(`1 map -> ${topics.changesRedrive}: ${ids.map}`);
    expect(await redriven()).toEqual([]);
    expect(await marks()).toBe(0);

    // No terminal to ask on and no --yes: exit code 2, nothing sent.
    const unasked = await dlq('redrive');
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toMatch(/stdin is not a terminal; add --yes/);
    expect(await redriven()).toEqual([]);
    expect(await marks()).toBe(0);

    // --limit 1: exactly one, the oldest.
    const first = await dlq('redrive', '--yes', '--limit', '1');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('sent 1 record(s) back');
    const afterFirst = await redriven();
    expect(afterFirst.map((r) => header(r.message, 'reativa-redriven-from'))).toEqual([ids.map]);
    expect(await marks()).toBe(1);

    // The rest, then nothing: a second run skips what is marked.
    const rest = await dlq('redrive', '--yes');
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toContain('sent 3 record(s) back');
    expect(rest.stdout).toContain(`skipped, already redriven (--again sends them again): ${ids.map}`);
    const again = await dlq('redrive', '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to send');
    const sent = await redriven();
    expect(sent.map((r) => header(r.message, 'reativa-redriven-from')).sort()).toEqual([...redrivable].sort());
    expect(await marks()).toBe(4);

    // The original bytes and keys, with the headers.
    const sentFor = (id: string) => sent.find((r) => header(r.message, 'reativa-redriven-from') === id)!;
    const toMapper = sentFor(ids.map);
    expect(toMapper.topic).toBe(topics.changesRedrive);
    expect(toMapper.message.key!.equals(change.message.key!)).toBe(true);
    expect(toMapper.message.value!.equals(change.message.value!)).toBe(true);
    expect(header(toMapper.message, 'reativa-source-offset')).toBe(change.message.offset);
    const toRouting = sentFor(ids.route);
    expect(toRouting.topic).toBe(topics.triggers);
    expect(toRouting.message.key!.equals(trigger.message.key!)).toBe(true);
    expect(toRouting.message.value!.equals(trigger.message.value!)).toBe(true);
    const toDelivery = sentFor(ids.deliver);
    expect(toDelivery.topic).toBe(topics.deliveries);
    expect(toDelivery.message.key!.toString()).toBe(`90001|contract:${contractId}`);
    expect(toDelivery.message.value!.equals(avro)).toBe(true);
    expect(header(toDelivery.message, 'reativa-attempt')).toBeUndefined();
    const givenUpAgain = sentFor(ids.delivery);
    expect(givenUpAgain.topic).toBe(topics.deliveries);
    expect(givenUpAgain.message.key!.toString()).toBe(`90002|contract:${contractId}`);
    expect(givenUpAgain.message.value!.equals(record)).toBe(true);

    // The list hides what was redriven; --all shows it, marked.
    expect((await listJson()).map((l) => l.id).sort()).toEqual([ids.tombstone, ids.partnerRules].sort());
    const all = await listJson('--all');
    expect(all.find((l) => l.id === ids.map)?.redriven).toMatchObject({ topic: topics.changesRedrive });

    // The mapper maps the change as of its place in the change log: the same events, the same bodies.
    const remapped = await waitFor('the events of the redriven change', async () => {
      const found = await eventsOf(true);
      return found.length >= 2 * originals.length ? found.slice(originals.length) : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    const summary = (list: { event: TriggerEvent }[]) => list.map(({ event }) => ({ eventId: event.eventId, kind: event.kind, body: event.body })).sort((a, b) => a.eventId.localeCompare(b.eventId));
    expect(summary(remapped)).toEqual(summary(originals));
    expect(original.length).toBe(originals.length);

    // Marks past the topics' retention go once their letter is gone (here, its topic); a letter still held keeps its mark.
    const gone = `${topics.namespace}.gone.dlq`;
    const held = ids.tombstone.split(':')[2]!;
    await reativaDb.query(
      `INSERT INTO reativa.dead_letter_redrives (dlq_topic, dlq_partition, dlq_offset, letter_timestamp, target_topic, redriven_at)
       VALUES ($1, 0, 0, 0, 'x', now() - interval '40 days'), ($2, 0, $3, 0, 'x', now() - interval '40 days')`,
      [gone, topics.triggersDlq, held],
    );
    expect((await listJson()).map((l) => l.id).sort()).toEqual([ids.tombstone, ids.partnerRules].sort());
    const left = await reativaDb.query<{ dlq_topic: string; dlq_offset: string }>('SELECT dlq_topic, dlq_offset FROM reativa.dead_letter_redrives WHERE dlq_topic = ANY($1::text[]) AND redriven_at < now() - interval \'1 day\'', [
      [gone, topics.triggersDlq],
    ]);
    expect(left.rows).toEqual([{ dlq_topic: topics.triggersDlq, dlq_offset: held }]);
  });
});
