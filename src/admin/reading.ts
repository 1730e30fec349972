// What the admin page reads, besides the configuration view: the attempt log
// (Reativa's database), the last alerts of <ns>.alerts, and the consumer
// groups' lag. Every read is bounded: queries by the pool's statement timeout
// and a period on the attempt log's time index, Kafka reads by deadlines.
import type { Admin, Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Alert } from '../contracts/alert.js';
import { groupLag } from '../kafka/groups.js';
import { readOnce } from '../kafka/read-once.js';
import type { ConsumerGroupSpec } from '../stages/registry.js';
import { SEARCH_LIMIT, type AttemptRow, type AttemptSearch } from './views/deliveries-view.js';
import { parseAlert } from './views/operations-view.js';
import type { GroupLag } from './views/operations-view.js';
import type { WebhookStats } from './views/webhooks-view.js';

interface AttemptDbRow {
  delivery_id: string;
  event_id: string;
  webhook_id: string;
  contract_id: string | null;
  attempt: number;
  attempted_at: Date;
  outcome: string;
  status: number | null;
  latency_ms: number;
  error: string | null;
  response_excerpt: string | null;
}

const COLUMNS = 'delivery_id, event_id, webhook_id, contract_id, attempt, attempted_at, outcome, status, latency_ms, error, response_excerpt';

const toAttempt = (r: AttemptDbRow): AttemptRow => ({
  deliveryId: r.delivery_id,
  eventId: r.event_id,
  webhookId: Number(r.webhook_id),
  contractId: r.contract_id === null ? null : Number(r.contract_id),
  attempt: r.attempt,
  attemptedAt: r.attempted_at.getTime(),
  outcome: r.outcome,
  status: r.status,
  latencyMs: r.latency_ms,
  error: r.error,
  responseExcerpt: r.response_excerpt,
});

/** The newest attempts matching a search, at most SEARCH_LIMIT; the period narrows the scan through the time index. */
export async function searchAttempts(pool: pg.Pool, s: AttemptSearch): Promise<AttemptRow[]> {
  const { rows } = await pool.query<AttemptDbRow>(
    `SELECT ${COLUMNS} FROM reativa.delivery_attempts
      WHERE attempted_at >= $1 AND attempted_at <= $2
        AND ($3::bigint IS NULL OR webhook_id = $3)
        AND ($4::bigint IS NULL OR contract_id = $4)
        AND ($5::text IS NULL OR event_id = $5)
        AND ($6::text IS NULL OR outcome = $6)
        AND ($7::int IS NULL OR status = $7)
      ORDER BY attempted_at DESC, id DESC LIMIT ${SEARCH_LIMIT}`,
    [new Date(s.from), new Date(s.to), s.webhookId ?? null, s.contractId ?? null, s.eventId ?? null, s.outcome ?? null, s.status ?? null],
  );
  return rows.map(toAttempt);
}

/** Every attempt of one delivery, oldest first (the hash index on delivery_id). */
export async function deliveryAttempts(pool: pg.Pool, deliveryId: string): Promise<AttemptRow[]> {
  const { rows } = await pool.query<AttemptDbRow>(`SELECT ${COLUMNS} FROM reativa.delivery_attempts WHERE delivery_id = $1 ORDER BY attempted_at, id`, [deliveryId]);
  return rows.map(toAttempt);
}

/**
 * Per webhook: deliveries made and attempts failed in the last hour, the last
 * failure of the last day, and the latest outcomes that tell whether the
 * partner answers (for the circuit), newest first.
 */
export async function webhookStats(pool: pg.Pool, webhookIds: readonly number[], breakerThreshold: number): Promise<Map<number, WebhookStats>> {
  const stats = new Map<number, { delivered: number; failedAttempts: number; lastError: WebhookStats['lastError']; recentOutcomes: ('success' | 'retryable')[] }>();
  if (webhookIds.length === 0) return stats;
  const of = (id: number) => {
    let s = stats.get(id);
    if (!s) stats.set(id, (s = { delivered: 0, failedAttempts: 0, lastError: null, recentOutcomes: [] }));
    return s;
  };
  const ids = webhookIds.map(String);
  const [hour, errors, recent] = await Promise.all([
    pool.query<{ webhook_id: string; delivered: string; failed: string }>(
      `SELECT webhook_id, count(DISTINCT delivery_id) FILTER (WHERE outcome = 'success') AS delivered, count(*) FILTER (WHERE outcome <> 'success') AS failed
         FROM reativa.delivery_attempts WHERE attempted_at > now() - interval '1 hour' AND webhook_id = ANY($1::bigint[]) GROUP BY webhook_id`,
      [ids],
    ),
    pool.query<{ webhook_id: string; attempted_at: Date; status: number | null; error: string | null }>(
      `SELECT DISTINCT ON (webhook_id) webhook_id, attempted_at, status, error
         FROM reativa.delivery_attempts WHERE attempted_at > now() - interval '24 hours' AND webhook_id = ANY($1::bigint[]) AND outcome <> 'success'
        ORDER BY webhook_id, attempted_at DESC, id DESC`,
      [ids],
    ),
    pool.query<{ webhook_id: string; outcome: 'success' | 'retryable' }>(
      `SELECT webhook_id, outcome FROM (
         SELECT webhook_id, outcome, row_number() OVER (PARTITION BY webhook_id ORDER BY attempted_at DESC, id DESC) AS n
           FROM reativa.delivery_attempts WHERE attempted_at > now() - interval '1 hour' AND webhook_id = ANY($1::bigint[]) AND outcome <> 'permanent') r
        WHERE n <= $2 ORDER BY webhook_id, n`,
      [ids, breakerThreshold],
    ),
  ]);
  for (const r of hour.rows) Object.assign(of(Number(r.webhook_id)), { delivered: Number(r.delivered), failedAttempts: Number(r.failed) });
  for (const r of errors.rows) of(Number(r.webhook_id)).lastError = { at: r.attempted_at.getTime(), status: r.status, error: r.error ?? '' };
  for (const r of recent.rows) of(Number(r.webhook_id)).recentOutcomes.push(r.outcome);
  return stats;
}

/**
 * The last `count` records of a one-partition topic, decoded, read once
 * without committing anything (a consumer group that leaves no offsets behind).
 */
export async function readLastAlerts(kafka: Kafka, topic: string, count: number, timeoutMs = 10_000): Promise<{ alerts: Alert[]; read: number }> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; low: string; high: string }[];
  try {
    if (!(await admin.listTopics()).includes(topic)) return { alerts: [], read: 0 };
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const wanted = new Map(
    ends
      .filter((e) => BigInt(e.high) > BigInt(e.low))
      .map((e) => {
        const from = BigInt(e.high) - BigInt(count) > BigInt(e.low) ? BigInt(e.high) - BigInt(count) : BigInt(e.low);
        return [e.partition, { from, end: BigInt(e.high) }] as const;
      }),
  );
  const alerts: Alert[] = [];
  let read = 0;
  if (wanted.size === 0) return { alerts, read };
  const pending = new Set(wanted.keys());
  await readOnce(kafka, {
    topic,
    groupPrefix: 'reativa-admin',
    awaiting: `the last ${count} records of ${topic}`,
    timeoutMs,
    start: async (consumer) => {
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const range = wanted.get(partition);
          const offset = BigInt(message.offset);
          if (!range || offset < range.from || offset >= range.end) return;
          read += 1;
          try {
            const alert = parseAlert(JSON.parse(message.value?.toString('utf8') ?? 'null'));
            if (alert) alerts.push(alert);
          } catch {
            // Not JSON: not an alert Reativa wrote; the page lists alerts only.
          }
          if (offset + 1n >= range.end) pending.delete(partition);
        },
      });
      // Straight to the tail: the log before it is of no interest here.
      for (const [partition, range] of wanted) consumer.seek({ topic, partition, offset: range.from.toString() });
    },
    done: () => pending.size === 0,
  });
  return { alerts, read };
}

/** Each stage's consumer groups and their lag per partition. */
export async function lagOf(kafka: Kafka, groups: readonly ConsumerGroupSpec[]): Promise<GroupLag[]> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const out: GroupLag[] = [];
    for (const g of groups) out.push({ stage: g.stage, groupId: g.groupId, partitions: await groupLag(admin, g.groupId, g.topics) });
    return out;
  } finally {
    await admin.disconnect();
  }
}
