// Debezium change events as they arrive from Kafka (JSON converter, schemas
// off): decoding and validation at the edge, so everything past here works
// with typed, checked values. A record that does not decode is reported as
// such, with a reason, never thrown past the consumer.
import { z } from 'zod';

export type Row = Record<string, unknown>;
export type ChangeOp = 'c' | 'u' | 'd' | 'r' | 't' | 'm';

const sourceSchema = z.object({
  connector: z.string().optional(),
  name: z.string().optional(),
  ts_ms: z.number(),
  snapshot: z.union([z.string(), z.boolean()]).nullish(),
  db: z.string(),
  schema: z.string(),
  table: z.string(),
  txId: z.number().nullish(),
  lsn: z.number().nullish(),
  sequence: z.string().nullish(),
});

const envelopeSchema = z.object({
  before: z.record(z.string(), z.unknown()).nullish(),
  after: z.record(z.string(), z.unknown()).nullish(),
  source: sourceSchema,
  op: z.enum(['c', 'u', 'd', 'r', 't', 'm']),
  ts_ms: z.number().nullish(),
});

export interface Change {
  readonly op: ChangeOp;
  readonly schema: string;
  readonly table: string;
  readonly before: Row | null;
  readonly after: Row | null;
  readonly key: Row | null;
  /** When the transaction committed in the ERP (source.ts_ms). */
  readonly committedAt: number;
  readonly lsn: number | null;
  readonly txId: number | null;
  readonly snapshot: boolean;
}

/**
 * A decoded record: a change, a tombstone (Debezium follows each delete with
 * one so log compaction can drop the key; there is nothing in it to apply), or
 * a reason it is not a change event.
 */
export type Decoded =
  | { readonly ok: true; readonly change: Change }
  | { readonly ok: false; readonly tombstone: true; readonly reason: string }
  | { readonly ok: false; readonly tombstone?: false; readonly reason: string };

/** The field Debezium's topic router adds to every key so keys stay unique across tables. */
export const TABLE_KEY_FIELD = '__dbz__physicalTableIdentifier';

/** The row's primary key columns: the key less the router's table identifier. */
function withoutTableField(key: Row): Row {
  if (!(TABLE_KEY_FIELD in key)) return key;
  const { [TABLE_KEY_FIELD]: _table, ...columns } = key;
  return columns;
}

function parseJson(buffer: Buffer | null): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (buffer === null) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(buffer.toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
}

/** Decodes one Kafka record of a Debezium change topic. A null value is a tombstone. */
export function decodeChange(key: Buffer | null, value: Buffer | null): Decoded {
  if (value === null) return { ok: false, tombstone: true, reason: 'tombstone (null value)' };
  const json = parseJson(value);
  if (!json.ok) return json;
  const envelope = envelopeSchema.safeParse(json.value);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    return { ok: false, reason: `not a Debezium change event: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  const keyJson = parseJson(key);
  const e = envelope.data;
  return {
    ok: true,
    change: {
      op: e.op,
      schema: e.source.schema,
      table: e.source.table,
      before: e.before ?? null,
      after: e.after ?? null,
      key: keyJson.ok && keyJson.value !== null && typeof keyJson.value === 'object' ? withoutTableField(keyJson.value as Row) : null,
      committedAt: e.source.ts_ms,
      lsn: e.source.lsn ?? null,
      txId: e.source.txId ?? null,
      // 'true', 'first', 'last', 'incremental'…: anything but false means a snapshot read.
      snapshot: e.source.snapshot != null && e.source.snapshot !== false && e.source.snapshot !== 'false',
    },
  };
}
