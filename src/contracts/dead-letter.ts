// The contracts of the dead-letter topics, as JSON (a malformed input must fit,
// so no schema that could reject it):
//   reativa.triggers.dlq   — changes the mapper could not decode or map, and
//                            trigger events routing could not decode;
//   reativa.deliveries.dlq — deliveries refused by a partner's rules, or given
//                            up by delivery, with every attempt and the Avro
//                            record as routed so `reativa dlq redrive` can send it again.
import type { Delivery } from './delivery.js';

/** What a consumer read, as dead-letter builders need it (kafkajs' KafkaMessage fits). */
export interface ConsumedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly offset: string;
  readonly timestamp: string;
}

export interface SourceRecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
}

/** A record of reativa.triggers.dlq. */
export interface ChangeDeadLetter {
  readonly reason: string;
  readonly stage: string;
  readonly failedAt: string;
  readonly source: SourceRecordPosition;
  /** Where the change stands in the ERP's log, when it decoded far enough to tell. */
  readonly position: { readonly table: string | null; readonly lsn: number | null } | null;
  readonly key: string | null;
  readonly value: string | null;
}

/** One attempt as a dead letter and an alert e-mail list it. */
export interface AttemptSummary {
  readonly at: string;
  readonly attempt: number;
  readonly status: number | null;
  readonly error: string | null;
  readonly latencyMs: number;
}

/** A record of reativa.deliveries.dlq. */
export interface DeliveryDeadLetter {
  readonly stage: 'delivery' | 'partner_rules';
  readonly reason: string;
  /** For partner_rules: each of the partner's rules the client's data breaks. */
  readonly reasons?: readonly string[];
  readonly failedAt: string;
  readonly eventId: string;
  readonly deliveryId?: string;
  readonly webhookId: number;
  readonly webhookName: string | null;
  readonly url?: string;
  readonly contractId: number | null;
  readonly kind: string;
  readonly entity?: string | null;
  readonly action: string;
  readonly attempts: readonly AttemptSummary[];
  /** The Avro record as routed, base64: what `reativa dlq redrive` sends again. */
  readonly record?: string;
}

export const DEAD_LETTER_HEADERS = { stage: 'reativa-stage', reason: 'reativa-reason', eventId: 'reativa-event-id' } as const;

export interface OutgoingRecord {
  readonly key: Buffer | string | null;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** A dead letter for a record a stage could not take in: the original record, the reason and where it was read. */
export function changeDeadLetter(
  stage: string,
  reason: string,
  topic: string,
  partition: number,
  message: ConsumedRecord,
  position: ChangeDeadLetter['position'] = null,
  now = new Date(),
): OutgoingRecord {
  const record: ChangeDeadLetter = {
    reason,
    stage,
    failedAt: now.toISOString(),
    source: { topic, partition, offset: message.offset, timestamp: message.timestamp },
    position,
    key: message.key?.toString('utf8') ?? null,
    value: message.value?.toString('utf8') ?? null,
  };
  return { key: message.key, value: JSON.stringify(record), headers: { [DEAD_LETTER_HEADERS.stage]: stage, [DEAD_LETTER_HEADERS.reason]: reason.slice(0, 200) } };
}

/** A delivery dead letter as a Kafka record, keyed like the delivery. */
export function deliveryDeadLetterRecord(key: string, letter: DeliveryDeadLetter): OutgoingRecord {
  return { key, value: JSON.stringify(letter), headers: { [DEAD_LETTER_HEADERS.eventId]: letter.eventId, [DEAD_LETTER_HEADERS.stage]: letter.stage } };
}

/** The delivery's identifying fields, as every delivery dead letter carries them. */
export function deliveryFields(d: Delivery): Pick<DeliveryDeadLetter, 'eventId' | 'deliveryId' | 'webhookId' | 'url' | 'contractId' | 'kind' | 'entity' | 'action'> {
  return { eventId: d.eventId, deliveryId: d.deliveryId, webhookId: d.webhookId, url: d.url, contractId: d.contractId, kind: d.kind, entity: d.entity, action: d.action };
}
