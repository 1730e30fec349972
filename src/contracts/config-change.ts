// The contract of reativa.config: the changes of the ERP's configuration tables
// (webhooks, integrators, their headers, parameters and triggers, the catalogue,
// the ERP parameters), taken from the change log by the mapper in log order,
// keyed by `<table>|<primary key>` and compacted, so a process reading it from
// the beginning rebuilds the current configuration whatever the change log's
// age. The value is the change as decoded from Debezium, as JSON, less the
// secret columns (capture/tables.ts SECRET_COLUMNS): the connector already
// leaves them out, and they are stripped here again so that rows captured
// before it did (still in the mapper's state store, which seeds a new
// namespace's topic) never bring one back into Kafka.
import { z } from 'zod';
import type { Change } from '../capture/envelope.js';
import { withoutSecretColumns } from '../capture/tables.js';

const row = z.record(z.string(), z.unknown());

const changeSchema = z.object({
  op: z.enum(['c', 'u', 'd', 'r', 't', 'm']),
  schema: z.string(),
  table: z.string(),
  before: row.nullable(),
  after: row.nullable(),
  key: row.nullable(),
  committedAt: z.number(),
  lsn: z.number().nullable(),
  txId: z.number().nullable(),
  snapshot: z.boolean(),
});

export const configChangeKey = (change: Change): string => `${change.table}|${JSON.stringify(change.key ?? { id: (change.after ?? change.before)?.id ?? null })}`;

export function configChangeRecord(change: Change): { key: string; value: string } {
  const stripped: Change = { ...change, before: withoutSecretColumns(change.table, change.before), after: withoutSecretColumns(change.table, change.after) };
  return { key: configChangeKey(change), value: JSON.stringify(stripped) };
}

export type ParsedConfigChange = { readonly ok: true; readonly change: Change } | { readonly ok: false; readonly reason: string };

export function parseConfigChange(value: Buffer | null): ParsedConfigChange {
  if (value === null) return { ok: false, reason: 'tombstone' };
  try {
    const parsed = changeSchema.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? { ok: true, change: parsed.data } : { ok: false, reason: `not a configuration change: ${parsed.error.issues[0]?.path.join('.')}` };
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
}
