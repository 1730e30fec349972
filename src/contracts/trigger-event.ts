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

/** Where the change came from in the ERP's log; `primaryKey` is canonical JSON such as {"id":42}. */
export type SourcePosition = SourcePositionRecord;

export interface TriggerEvent extends Omit<TriggerEventRecord, 'entity' | 'body'> {
  readonly entity: StandardEntity | null;
  readonly body: Body;
}

export const TRIGGER_EVENT: AvroContract<TriggerEvent, TriggerEventRecord> = {
  name: 'trigger-event',
  schema: TRIGGER_EVENT_SCHEMA,
  toRecord: (event) => ({ ...event, body: JSON.stringify(event.body) }),
  fromRecord: (record) => ({ ...record, entity: record.entity as StandardEntity | null, body: JSON.parse(record.body) as Body }),
};
