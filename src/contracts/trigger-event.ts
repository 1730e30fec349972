// The contract of reativa.triggers: one ERP change mapped to one trigger kind
// and action, keyed by aggregate (`contract:<id>` where there is a contract),
// Avro (schemas/trigger-event.avsc) with the body as JSON text.
import type { AvroContract, Body } from './contract.js';
import {
  TRIGGER_ACTION_SYMBOLS,
  TRIGGER_EVENT_SCHEMA,
  TRIGGER_KIND_SYMBOLS,
  type SourcePositionRecord,
  type TriggerAction,
  type TriggerEventRecord,
  type TriggerKind,
} from './generated/trigger-event.js';

export const TRIGGER_KINDS = TRIGGER_KIND_SYMBOLS;
export type { TriggerKind };

export const ACTIONS = TRIGGER_ACTION_SYMBOLS;
export type Action = TriggerAction;

/** The standard integration's entities: the values of the `entity` field (and of webhook_triggers.entity). */
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

/**
 * The accounting integration's entities (Alteração integração Contábil, and
 * Integração SAP over the same ones): the values of `entity` for the
 * `accounting` and `sap` kinds, and of their webhooks' webhook_triggers.entity.
 * `titles` are titles payable and receivable; `paid_titles` their payments.
 */
export const ACCOUNTING_ENTITIES = [
  'people',
  'fiscal_documents',
  'titles',
  'paid_titles',
  'financial_movements',
  'financial_natures',
  'ledger_accounts',
] as const;
export type AccountingEntity = (typeof ACCOUNTING_ENTITIES)[number];

/** What `entity` may hold: a standard entity, an accounting one, or null for the other kinds. */
export type TriggerEntity = StandardEntity | AccountingEntity;

/** Where the change came from in the ERP's log; `primaryKey` is canonical JSON such as {"id":42}. */
export type SourcePosition = SourcePositionRecord;

export interface TriggerEvent extends Omit<TriggerEventRecord, 'entity' | 'body' | 'contractServiceCodes' | 'changeOffset' | 'onlyWebhookId'> {
  readonly entity: TriggerEntity | null;
  /** Service kinds: every integration code on the contract as of the change, any integrator (routing's partner rules); absent elsewhere. */
  readonly contractServiceCodes?: readonly string[] | null;
  /**
   * The change log offset of the change this event was mapped from (the mapper's
   * runner sets it); absent for post-due collection, which no change causes.
   */
  readonly changeOffset?: number | null;
  /** A redrive of a partner_rules dead letter: the one webhook routing may send this event to. */
  readonly onlyWebhookId?: number | null;
  readonly body: Body;
}

export const TRIGGER_EVENT: AvroContract<TriggerEvent, TriggerEventRecord> = {
  name: 'trigger-event',
  schema: TRIGGER_EVENT_SCHEMA,
  toRecord: (event) => ({
    ...event,
    contractServiceCodes: event.contractServiceCodes ? [...event.contractServiceCodes] : null,
    changeOffset: event.changeOffset ?? null,
    onlyWebhookId: event.onlyWebhookId ?? null,
    body: JSON.stringify(event.body),
  }),
  fromRecord: ({ contractServiceCodes, changeOffset, onlyWebhookId, ...record }) => ({
    ...record,
    // Absent rather than null where there are none, as the mapper makes them.
    ...(contractServiceCodes ? { contractServiceCodes } : {}),
    ...(changeOffset !== null && changeOffset !== undefined ? { changeOffset } : {}),
    ...(onlyWebhookId !== null && onlyWebhookId !== undefined ? { onlyWebhookId } : {}),
    entity: record.entity as TriggerEntity | null,
    body: JSON.parse(record.body) as Body,
  }),
};
