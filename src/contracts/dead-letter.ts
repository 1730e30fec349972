// The contracts of the dead-letter topics, as JSON (a malformed input must fit,
// so no schema that could reject it):
//   reativa.triggers.dlq   — changes the mapper could not decode or map, and
//                            trigger events routing could not read (RecordDeadLetter);
//   reativa.deliveries.dlq — deliveries refused by a partner's rules, or given
//                            up by delivery, with every attempt and the Avro
//                            record as routed (DeliveryDeadLetter); and delivery
//                            records delivery could not read (RecordDeadLetter).
// Every dead letter keeps the bytes it came from, so `reativa dlq redrive` can
// send it through again once the cause is mended.
import { redactUrl } from '../util/redact.js';
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

/** Where a record stood when a stage gave up on it. */
export type DeadLetterStage = 'decode' | 'map' | 'route' | 'deliver';

/**
 * A record a stage could not take in, as it was read: a change the mapper
 * could not decode or map, a trigger event routing could not read, a delivery
 * record delivery could not read. Every stage writes these (on its own
 * dead-letter topic), and `reativa dlq redrive` writes `value` back.
 */
export interface RecordDeadLetter {
  readonly stage: DeadLetterStage;
  readonly reason: string;
  readonly failedAt: string;
  readonly source: SourceRecordPosition;
  /** Where the change stands in the ERP's log, when it decoded far enough to tell. */
  readonly position: { readonly table: string | null; readonly lsn: number | null } | null;
  readonly key: string | null;
  /** The record's value as read, base64: binary Avro survives, and redrive writes these bytes back. */
  readonly value: string | null;
  /** The same value as text, when it is UTF-8 (a Debezium change is JSON), for people reading the topic. */
  readonly text: string | null;
  /** The record's headers as read (a retry record's envelope). */
  readonly headers: Record<string, string>;
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
  /** The Avro record as routed, base64: what `reativa dlq redrive` sends again when there is no `changeOffset`. */
  readonly record?: string;
  /**
   * For partner_rules: the change log offset of the change the event was mapped
   * from. `reativa dlq redrive` sends that change back to the mapper, mapped
   * with the ERP's data as of the redrive, so a client fixed since is sent fixed.
   * Absent for letters written before it, and for events no change caused.
   */
  readonly changeOffset?: string;
}

export const DEAD_LETTER_HEADERS = { stage: 'reativa-stage', reason: 'reativa-reason', eventId: 'reativa-event-id' } as const;

export interface OutgoingRecord {
  readonly key: Buffer | string | null;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** The headers of a consumed record, as text. */
export type ConsumedHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined;

const asText = (value: Buffer): string | null => {
  const text = value.toString('utf8');
  return Buffer.byteLength(text) === value.length && Buffer.from(text, 'utf8').equals(value) ? text : null;
};

/** A dead letter for a record a stage could not take in: the original record, the reason and where it was read. */
export function recordDeadLetter(
  stage: DeadLetterStage,
  reason: string,
  topic: string,
  partition: number,
  message: ConsumedRecord & { readonly headers?: ConsumedHeaders },
  position: RecordDeadLetter['position'] = null,
  now = new Date(),
): OutgoingRecord {
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(message.headers ?? {})) {
    const one = Array.isArray(v) ? v[0] : v;
    if (one !== undefined) headers[name] = one.toString();
  }
  const record: RecordDeadLetter = {
    stage,
    reason,
    failedAt: now.toISOString(),
    source: { topic, partition, offset: message.offset, timestamp: message.timestamp },
    position,
    key: message.key?.toString('utf8') ?? null,
    value: message.value?.toString('base64') ?? null,
    text: message.value ? asText(message.value) : null,
    headers,
  };
  return { key: message.key, value: JSON.stringify(record), headers: { [DEAD_LETTER_HEADERS.stage]: stage, [DEAD_LETTER_HEADERS.reason]: reason.slice(0, 200) } };
}

/** A delivery dead letter as a Kafka record, keyed like the delivery. */
export function deliveryDeadLetterRecord(key: string, letter: DeliveryDeadLetter): OutgoingRecord {
  return { key, value: JSON.stringify(letter), headers: { [DEAD_LETTER_HEADERS.eventId]: letter.eventId, [DEAD_LETTER_HEADERS.stage]: letter.stage } };
}

/**
 * The delivery's identifying fields, as every delivery dead letter carries
 * them. The URL masked again: routing writes it masked, but a delivery routed
 * before it did (still in a retry topic, or redriven) may carry a query token.
 */
export function deliveryFields(d: Delivery): Pick<DeliveryDeadLetter, 'eventId' | 'deliveryId' | 'webhookId' | 'url' | 'contractId' | 'kind' | 'entity' | 'action'> {
  return { eventId: d.eventId, deliveryId: d.deliveryId, webhookId: d.webhookId, url: redactUrl(d.url), contractId: d.contractId, kind: d.kind, entity: d.entity, action: d.action };
}

/**
 * Headers of a record sent back from a dead letter (`reativa dlq redrive`):
 * which dead letter it came from and, for a change sent back to the mapper,
 * its position in the change log, as of which it is mapped. A change sent
 * back for a partner_rules letter also carries `asOf`, the change log's last
 * offset when the redrive was planned (the state it is mapped with: the
 * client's data as fixed by then), and `onlyWebhook`, the webhook that refused
 * it (the only one its event goes to).
 */
export const REDRIVE_HEADERS = {
  from: 'reativa-redriven-from',
  sourceOffset: 'reativa-source-offset',
  asOf: 'reativa-as-of-offset',
  onlyWebhook: 'reativa-only-webhook',
} as const;

const numberHeader = (message: { readonly headers?: ConsumedHeaders }, name: string): number => {
  const raw = message.headers?.[name];
  const text = (Array.isArray(raw) ? raw[0] : raw)?.toString();
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : -1;
};

/** A redriven change's position in the change log; -1 when it has none. */
export const sourceOffsetOf = (message: { readonly headers?: ConsumedHeaders }): number => numberHeader(message, REDRIVE_HEADERS.sourceOffset);

export type PartnerRulesRedrive =
  | { readonly ok: true; readonly asOf: number; readonly webhookId: number }
  | { readonly ok: false; readonly why: string };

/**
 * A partner_rules redrive: the position its change is mapped as of, and the
 * webhook its events go to; undefined for any other record (neither header).
 * One header without the other, or one that is not a number, is refused: mapped
 * without both, the change would reach every webhook again.
 */
export function partnerRulesRedriveOf(message: { readonly headers?: ConsumedHeaders }): PartnerRulesRedrive | undefined {
  const present = [REDRIVE_HEADERS.asOf, REDRIVE_HEADERS.onlyWebhook].filter((name) => message.headers?.[name] !== undefined);
  if (present.length === 0) return undefined;
  const asOf = numberHeader(message, REDRIVE_HEADERS.asOf);
  const webhookId = numberHeader(message, REDRIVE_HEADERS.onlyWebhook);
  if (asOf < 0 || webhookId < 0) return { ok: false, why: `a partner_rules redrive needs both headers ${REDRIVE_HEADERS.asOf} and ${REDRIVE_HEADERS.onlyWebhook}, as numbers` };
  return { ok: true, asOf, webhookId };
}
