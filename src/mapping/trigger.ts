// Trigger events: what the mapper emits on reativa.triggers (schemas/trigger-event.avsc).
import { createHash } from 'node:crypto';

export const TRIGGER_KINDS = [
  'contract_change',
  'contract_service_change',
  'contract_patrimony_change',
  'accounting',
  'crm',
  'receivables',
  'sap',
  'post_due_collection',
  'fiscal_document_status',
  'tenant_solicitation',
  'standard',
] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export const STANDARD_ENTITIES = [
  'contracts',
  'contract_connections',
  'solicitations',
  'reports',
  'title_issuance',
  'title_receipt',
  'electronic_signature',
] as const;
export type StandardEntity = (typeof STANDARD_ENTITIES)[number];

export const ACTIONS = ['insert', 'update', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

/** ActionType in every body: 0 Inclusão, 1 Alteração, 2 Exclusão. */
export const ACTION_TYPE: Record<Action, 0 | 1 | 2> = { insert: 0, update: 1, delete: 2 };

export interface SourcePosition {
  readonly table: string;
  readonly lsn: number | null;
  readonly txId: number | null;
  /** The row's primary key as canonical JSON, e.g. {"id":42}. */
  readonly primaryKey: string;
  readonly op: string;
  /** Commit time in the ERP, epoch milliseconds. */
  readonly committedAt: number;
}

export type Body = Record<string, unknown>;

export interface TriggerEvent {
  readonly eventId: string;
  readonly kind: TriggerKind;
  readonly entity: StandardEntity | null;
  readonly action: Action;
  /** Kafka key: per-contract order holds for everything about one contract. */
  readonly aggregateKey: string;
  readonly contractId: number | null;
  readonly companyId: number | null;
  readonly integratorId: number | null;
  readonly source: SourcePosition;
  readonly body: Body;
}

/**
 * A deterministic event id: the same source change mapped again (a replay, a
 * restart after a crash) yields the same id, so partners can drop duplicates.
 * `discriminator` tells apart the several events one change can produce.
 */
export function eventId(source: SourcePosition, kind: TriggerKind, discriminator: string): string {
  const digest = createHash('sha256')
    .update([source.lsn ?? 'nolsn', source.txId ?? 'notx', source.table, source.primaryKey, source.op, kind, discriminator].join('|'))
    .digest('hex');
  // Formatted as a UUID (version nibble 5, like a name-based UUID) for partners' convenience.
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-${((parseInt(digest.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${digest.slice(18, 20)}-${digest.slice(20, 32)}`;
}
