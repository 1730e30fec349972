// Helpers for tests against the real stack: one settings object, ERP rows with
// unique values per test, and a reader that collects decoded records from a
// topic so tests wait on conditions (with deadlines), never on sleeps.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import pg from 'pg';
import { decodeChange, type Change } from '../../src/capture/envelope.js';
import { changeLogTopic } from '../../src/capture/tables.js';
import { positionAtEnd } from '../../src/kafka/groups.js';
import { loadSettings } from '../../src/settings.js';
import { waitFor } from '../../src/util/wait.js';

export const settings = loadSettings();

export const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/**
 * A topic of the test's own, usable once this returns. A broker busy with other
 * tests can answer the metadata request that follows a creation with "does not
 * host this topic-partition" before the topic has reached it: the creation is
 * asked again (a no-op once the topic exists) until its offsets can be read.
 */
export async function createTestTopic(admin: Admin, topic: string, numPartitions = 1): Promise<void> {
  await waitFor(`topic ${topic} created`, async () => {
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true });
    await admin.fetchTopicOffsets(topic);
    return true;
  }, { timeoutMs: 30_000, intervalMs: 200 });
}

export function testKafka(): Kafka {
  return new Kafka({ clientId: 'reativa-test', brokers: [...settings.kafka.brokers], logLevel: logLevel.NOTHING });
}

/**
 * The ERP as the embedded stack's superuser: tests stand for the ERP and its
 * operators, writing its rows. Reativa itself never connects so (its runtime
 * role reads only the secret columns, by id).
 */
export function erpPool(): pg.Pool {
  return new pg.Pool({ connectionString: settings.erpSuperuserDatabaseUrl, max: 4 });
}

/** The name every webhook a test makes starts with: tests touch no other webhook of the ERP. */
export const TEST_WEBHOOK = 'test-';

/** The webhooks this test process made: the only ones it turns off, besides those left by crashed runs. */
const madeHere = new Set<string>();

/**
 * A unique name for a webhook a test makes: `test-<what>-<time in base 36>-<random>`.
 * The time lets a later run tell a webhook a crashed run left on from one a
 * test running right now (in another process) is using.
 */
export const testWebhookName = (what = 'webhook') => {
  const name = `${TEST_WEBHOOK}${what}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  madeHere.add(name);
  return name;
};

/** Webhooks left on by runs that ended over an hour ago are a crashed run's. */
const ABANDONED_AFTER_MS = 3600_000;

/**
 * Turns off the webhooks this test process made, and any a crashed run left
 * on (made over an hour ago), so later runs do not deliver to partners that
 * are gone. The ERP's other webhooks — a demo's, an operator's — and those of
 * tests running now in other processes are never touched.
 */
export async function deactivateWebhooks(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ id: string; name: string }>("SELECT id, name FROM webhooks WHERE active AND name LIKE $1 || '%'", [TEST_WEBHOOK]);
  const stale = rows.filter((r) => {
    if (madeHere.has(r.name)) return true;
    const stamp = /-([0-9a-z]{8,9})-[0-9a-f]{8}$/.exec(r.name)?.[1];
    const madeAt = stamp ? parseInt(stamp, 36) : 0;
    return Date.now() - madeAt > ABANDONED_AFTER_MS;
  });
  if (stale.length > 0) await pool.query('UPDATE webhooks SET active = false WHERE id = ANY($1::bigint[])', [stale.map((r) => r.id)]);
}

/** A company and a client of our own, so tests never depend on each other's rows. */
export async function seedParty(pool: pg.Pool): Promise<{ companyId: number; clientId: number }> {
  const company = await pool.query<{ id: string }>(
    "INSERT INTO companies (name, tx_id) VALUES ($1, '12.123.123/0001-14') RETURNING id",
    [unique('company')],
  );
  const client = await pool.query<{ id: string }>(
    'INSERT INTO people (name, email, phone, cell_phone) VALUES ($1, $2, $3, $4) RETURNING id',
    [unique('client'), 'cliente@example.com', '(11)3333-4444', '(11)99999-0000'],
  );
  return { companyId: Number(company.rows[0]!.id), clientId: Number(client.rows[0]!.id) };
}

export interface Received<T> {
  readonly key: Buffer | null;
  readonly value: T;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Reads topics in a fresh consumer group and keeps every decoded record: from
 * their end when started (what a test makes happens after), so a long-used
 * stack with a large history costs nothing; or from the beginning if asked.
 */
export class TopicReader<T> {
  readonly records: Received<T>[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
    private readonly decode: (value: Buffer | null) => Promise<T> | T,
    private readonly from: 'end' | 'beginning' = 'end',
  ) {}

  async start(): Promise<this> {
    const groupId = unique('test-reader');
    if (this.from === 'end') await positionAtEnd(this.kafka, groupId, this.topics);
    this.consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        this.records.push({ key: message.key, value: await this.decode(message.value), partition, offset: message.offset });
      },
    });
    return this;
  }

  /** Waits until `predicate` matches at least `count` records; returns the matches. */
  async waitFor(predicate: (value: T) => boolean, count = 1, timeoutMs = 10_000): Promise<T[]> {
    return waitFor(
      `${count} matching record(s) on ${this.topics.join(', ')}`,
      async () => {
        const matches = this.records.map((r) => r.value).filter(predicate);
        return matches.length >= count ? matches : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  matching(predicate: (value: T) => boolean): T[] {
    return this.records.map((r) => r.value).filter(predicate);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Debezium change events of one ERP table, from the change log, decoded (null for other tables and what does not decode). */
export function changeReader(table: string): TopicReader<Change | null> {
  return new TopicReader<Change | null>(testKafka(), [changeLogTopic(settings.topicPrefix)], (value) => {
    const decoded = decodeChange(null, value);
    return decoded.ok && decoded.change.table === table ? decoded.change : null;
  });
}
