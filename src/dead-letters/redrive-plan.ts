// What a dead letter is and where it can go back to, pure: `reativa dlq` reads
// the dead-letter topics, and this decides, for each letter, an id for people,
// its stage, and the record a redrive would send (or why there is none).
//
//   decode, map (the mapper)  → <ns>.changes.redrive: the change's bytes and key, with
//                               its change-log offset (reativa-source-offset), as of
//                               which the mapper maps it; refused past the mapper's history.
//                               A partner_rules redrive it could not map keeps its
//                               reativa-as-of-offset and reativa-only-webhook
//   route (routing)           → <ns>.triggers: the trigger event's bytes and key
//   deliver (delivery)        → <ns>.deliveries: the delivery's bytes and key
//   delivery (given up)       → <ns>.deliveries: the Avro record as routed (attempts start over)
//   partner_rules             → <ns>.changes.redrive: the change its event was mapped from,
//                               read again from the change log at the offset the letter
//                               keeps (changeOffset), with reativa-source-offset, and
//                               reativa-as-of-offset = the change log's last offset when the
//                               redrive is planned, reativa-only-webhook = the refusing webhook:
//                               the mapper maps it with the ERP's data as of that position (the
//                               client's data as fixed since), under a new event id derived from
//                               the original one and that position, and routing sends it to that
//                               webhook only, its rules applied again. Refused when the change is
//                               no longer in the log or is older than the mapper's history.
//                               Letters written before they kept the offset → <ns>.deliveries:
//                               the delivery as it would have been sent (its body as at commit);
//                               letters written before refusals kept even that: nothing
//
// Why a position and not "now": every output is a function of the log, so a
// redrive is pinned to the log's end when it was planned; the record it sends
// carries that position, and mapping it again (a crash, a replay of the redrive
// topic) gives the same event id and the same body.
//
// Every redriven record carries reativa-redriven-from = the letter's id.
import { decodeChange } from '../capture/envelope.js';
import { REDRIVE_HEADERS, type DeadLetterStage, type DeliveryDeadLetter, type RecordDeadLetter } from '../contracts/dead-letter.js';
import { webhookOfDeliveryKey } from '../contracts/delivery.js';
import type { ReadRecord } from '../kafka/read-topic.js';
import type { ReativaTopics } from '../kafka/topics.js';

/** A record of a dead-letter topic, as read: its value parsed from JSON (undefined when it is not JSON). */
export interface ReadDeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The dead letter's own Kafka timestamp (epoch ms, as text). */
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** A dead letter as read from its topic: the value parsed as JSON (undefined when it is not), each header's first value as text. */
export function readDeadLetter(topic: string, { partition, message }: ReadRecord): ReadDeadLetter {
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(message.headers ?? {})) {
    const one = Array.isArray(v) ? v[0] : v;
    if (one !== undefined) headers[name] = one.toString();
  }
  let value: unknown;
  try {
    value = message.value === null ? undefined : (JSON.parse(message.value.toString('utf8')) as unknown);
  } catch {
    value = undefined;
  }
  return { topic, partition, offset: message.offset, timestamp: message.timestamp, key: message.key, value, headers };
}

/** A record of the change log as read back for a partner_rules redrive. */
export interface ChangeLogRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Its Kafka timestamp (epoch ms, as text). */
  readonly timestamp: string;
}

/** The change log as read when the letters were planned: what partner_rules letters are redriven from. */
export interface ChangeLogReading {
  /** The first offset the log still holds. */
  readonly low: number;
  /** Its last offset then (-1 when empty): the position a partner_rules redrive is mapped as of. */
  readonly last: number;
  /** The records at the offsets the letters name (changeOffsetsOf), as read; one missing is no longer in the log. */
  readonly records: ReadonlyMap<number, ChangeLogRecord>;
}

export interface PlanContext {
  readonly topics: ReativaTopics;
  /** The change log the mapper reads (<prefix>.changes). */
  readonly changeLog: string;
  /** REATIVA_CHANGE_LOG_HISTORY: how far back the mapper's state store reaches. */
  readonly historyMs: number;
  readonly now: number;
  /** Read for the partner_rules letters among those planned; absent, they are refused (not read). */
  readonly changeLogNow?: ChangeLogReading;
}

export type LetterStage = DeadLetterStage | DeliveryDeadLetter['stage'] | 'unknown';
export const LETTER_STAGES: readonly LetterStage[] = ['decode', 'map', 'route', 'deliver', 'delivery', 'partner_rules'];

/** The record a redrive sends. */
export interface RedriveRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export type Redrive = { readonly ok: true; readonly record: RedriveRecord } | { readonly ok: false; readonly why: string };

export interface PlannedLetter {
  /** `triggers:<partition>:<offset>` or `deliveries:<partition>:<offset>` (the topic's name for any other topic). */
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: number;
  readonly stage: LetterStage;
  readonly reason: string;
  readonly failedAt: string | null;
  readonly webhookId: number | null;
  readonly contractId: number | null;
  readonly eventId: string | null;
  /** The letter as written. */
  readonly letter: unknown;
  readonly redrive: Redrive;
}

/** The short names of the dead-letter topics in ids. */
const dlqNames = (topics: ReativaTopics): readonly (readonly [string, string])[] => [
  ['triggers', topics.triggersDlq],
  ['deliveries', topics.deliveriesDlq],
];

export function letterId(topics: ReativaTopics, topic: string, partition: number, offset: string): string {
  const name = dlqNames(topics).find(([, t]) => t === topic)?.[0] ?? topic;
  return `${name}:${partition}:${offset}`;
}

/** The dead letter an id names, or undefined when it is not an id of this namespace's dead-letter topics. */
export function parseLetterId(topics: ReativaTopics, id: string): { topic: string; partition: number; offset: string } | undefined {
  const match = /^(triggers|deliveries):(\d+):(\d+)$/.exec(id.trim());
  if (!match) return undefined;
  const topic = dlqNames(topics).find(([name]) => name === match[1])![1];
  return { topic, partition: Number(match[2]), offset: String(BigInt(match[3]!)) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
const RECORD_STAGES = new Set<string>(['decode', 'map', 'route', 'deliver']);
const DELIVERY_STAGES = new Set<string>(['delivery', 'partner_rules']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const fromBase64 = (value: string): Buffer | undefined => (value.length % 4 === 0 && BASE64.test(value) ? Buffer.from(value, 'base64') : undefined);

/** The change log offset a partner_rules letter keeps, when it keeps one. */
function changeOffsetOf(value: unknown): number | undefined {
  if (!isObject(value) || value.stage !== 'partner_rules') return undefined;
  const offset = text(value.changeOffset);
  return offset !== null && /^\d{1,15}$/.test(offset) ? Number(offset) : undefined;
}

/** The change log offsets partner_rules letters name: what to read from the log before planning them. */
export function changeOffsetsOf(letters: readonly ReadDeadLetter[]): number[] {
  return [...new Set(letters.map((l) => changeOffsetOf(l.value)).filter((o): o is number => o !== undefined))].sort((a, b) => a - b);
}

/**
 * Why a change cannot be mapped again, when it is older than the mapper's
 * history: `times`, what is known of when it happened (its commit, its record's timestamp).
 */
function pastHistory(times: readonly number[], context: PlanContext, consequence: string): string | undefined {
  const known = times.filter((t) => Number.isFinite(t) && t > 0);
  const horizon = context.now - context.historyMs;
  if (known.length === 0 || Math.min(...known) >= horizon) return undefined;
  return `the change dates from ${new Date(Math.min(...known)).toISOString()}, before the mapper's history (REATIVA_CHANGE_LOG_HISTORY reaches back to ${new Date(horizon).toISOString()}): ${consequence}`;
}

/**
 * A partner_rules letter that keeps its change's offset: that change, read
 * from the change log now, back to the mapper as of the log's last offset,
 * for the refusing webhook only.
 */
function partnerRulesRedrive(offset: number, webhookId: number | null, from: Record<string, string>, context: PlanContext): Redrive {
  const refuse = (why: string): Redrive => ({ ok: false, why });
  if (webhookId === null) return refuse('the letter names no webhook to send it to');
  const log = context.changeLogNow;
  if (!log) return refuse(`the change log (${context.changeLog}) was not read, so its change (offset ${offset}) could not be`);
  const record = offset >= log.low ? log.records.get(offset) : undefined;
  if (!record || record.value === null) {
    return refuse(
      `its change (offset ${offset} of ${context.changeLog}) is no longer in the change log (compacted or past its retention; the log starts at ${log.low}), so it cannot be mapped again with the client's data fixed: the contract's next change is sent`,
    );
  }
  const decoded = decodeChange(record.key, record.value);
  // One limit for every change sent back to the mapper (it refuses older ones too): past it the
  // log is compacted, and a week-old change re-sent now is likelier to contradict what followed it.
  const old = pastHistory([Number(record.timestamp), decoded.ok ? decoded.change.committedAt : Number.NaN], context, 'the mapper maps no change that old again; the contract\'s next change is sent');
  if (old) return refuse(old);
  return {
    ok: true,
    record: {
      topic: context.topics.changesRedrive,
      key: record.key,
      value: record.value,
      headers: { ...from, [REDRIVE_HEADERS.sourceOffset]: String(offset), [REDRIVE_HEADERS.asOf]: String(log.last), [REDRIVE_HEADERS.onlyWebhook]: String(webhookId) },
    },
  };
}

/** The contract id in a trigger or delivery key (`contract:<id>`, `<webhook>|contract:<id>`), when there is one. */
function contractOfKey(key: string | null): number | null {
  const match = key ? /(?:^|\|)contract:(\d+)$/.exec(key) : null;
  return match ? Number(match[1]) : null;
}

export function planLetter(read: ReadDeadLetter, context: PlanContext): PlannedLetter {
  const id = letterId(context.topics, read.topic, read.partition, read.offset);
  const base = { id, topic: read.topic, partition: read.partition, offset: read.offset, timestamp: Number(read.timestamp), letter: read.value };
  const keyText = read.key?.toString('utf8') ?? null;
  const stage = isObject(read.value) ? text(read.value.stage) : null;
  if (!isObject(read.value) || stage === null || !(RECORD_STAGES.has(stage) || DELIVERY_STAGES.has(stage))) {
    return {
      ...base,
      stage: 'unknown',
      reason: isObject(read.value) ? (text(read.value.reason) ?? '') : '',
      failedAt: null,
      webhookId: null,
      contractId: null,
      eventId: null,
      redrive: { ok: false, why: read.value === undefined ? 'not JSON: not a dead letter Reativa wrote' : 'not a dead letter Reativa wrote (no known stage)' },
    };
  }
  const v = read.value;
  const common = { ...base, reason: text(v.reason) ?? '', failedAt: text(v.failedAt) };
  const from = { [REDRIVE_HEADERS.from]: id };

  if (DELIVERY_STAGES.has(stage)) {
    const letter = v as unknown as Partial<DeliveryDeadLetter>;
    const changeOffset = changeOffsetOf(v);
    if (changeOffset !== undefined) {
      const webhookId = int(letter.webhookId);
      return { ...common, stage: 'partner_rules', webhookId, contractId: int(letter.contractId), eventId: text(letter.eventId), redrive: partnerRulesRedrive(changeOffset, webhookId, from, context) };
    }
    const record = text(letter.record);
    const bytes = record === null ? undefined : fromBase64(record);
    const redrive: Redrive = bytes
      ? { ok: true, record: { topic: context.topics.deliveries, key: read.key, value: bytes, headers: from } }
      : {
          ok: false,
          why:
            record !== null
              ? 'its record is not base64'
              : stage === 'partner_rules'
                ? "the partner's rules refused it, and this letter predates refusals keeping the delivery: the client's data in the ERP needs fixing, and the contract's next change is sent"
                : 'it keeps no record to send',
        };
    return { ...common, stage: stage as LetterStage, webhookId: int(letter.webhookId), contractId: int(letter.contractId), eventId: text(letter.eventId), redrive };
  }

  const letter = v as unknown as Partial<RecordDeadLetter>;
  const recordKey = text(letter.key) ?? keyText;
  const webhookId = stage === 'deliver' && recordKey !== null && webhookOfDeliveryKey(recordKey) >= 0 ? webhookOfDeliveryKey(recordKey) : null;
  const planned = { ...common, stage: stage as LetterStage, webhookId, contractId: contractOfKey(recordKey), eventId: null };
  // Letters written before dead letters kept the bytes (no `text`, no `headers`) hold the value as UTF-8 text.
  const legacy = !('text' in v) && !('headers' in v);
  const value = text(letter.value);
  const key = read.key ?? (letter.key != null ? Buffer.from(letter.key, 'utf8') : null);
  const refuse = (why: string): PlannedLetter => ({ ...planned, redrive: { ok: false, why } });
  if (value === null) return refuse('no bytes kept: the record read had no value');
  let bytes: Buffer | undefined;
  if (legacy) {
    // A Debezium change is JSON, so its text is its bytes; an Avro record written as text is lost.
    if (stage === 'route' || stage === 'deliver') return refuse('written before dead letters kept the bytes: the Avro record was stored as text and cannot be restored');
    bytes = Buffer.from(value, 'utf8');
  } else bytes = fromBase64(value);
  if (!bytes) return refuse('its value is not base64');

  if (stage === 'route') return { ...planned, redrive: { ok: true, record: { topic: context.topics.triggers, key, value: bytes, headers: from } } };
  if (stage === 'deliver') return { ...planned, redrive: { ok: true, record: { topic: context.topics.deliveries, key, value: bytes, headers: from } } };

  // decode, map: back to the mapper, as of the change's offset in the change log.
  const source = isObject(letter.source) ? letter.source : undefined;
  const headers = isObject(letter.headers) ? letter.headers : {};
  let logOffset: string | undefined;
  if (source?.topic === context.changeLog) logOffset = text(source.offset) ?? undefined;
  else if (source?.topic === context.topics.changesRedrive) logOffset = text(headers[REDRIVE_HEADERS.sourceOffset]) ?? undefined;
  else return refuse(`read from ${source?.topic ?? 'an unknown topic'}, neither the change log (${context.changeLog}) nor ${context.topics.changesRedrive}: no position to map it as of`);
  if (logOffset === undefined || !/^\d+$/.test(logOffset)) return refuse(`no position in the change log (header ${REDRIVE_HEADERS.sourceOffset})`);

  // The oldest thing known of the change: its commit, when it decodes, and when its record was written.
  const decoded = decodeChange(key, bytes);
  const old = pastHistory([Number(source?.timestamp), decoded.ok ? decoded.change.committedAt : Number.NaN], context, 'its state store no longer holds the rows as they were then, so it would not map to the same event');
  if (old) return refuse(old);
  // A partner_rules redrive the mapper could not map goes back as it was: the same position, the same webhook
  // (without them its events would reach every webhook again, as of the refused data).
  const partnerRules: Record<string, string> = {};
  if (source?.topic === context.topics.changesRedrive) {
    for (const name of [REDRIVE_HEADERS.asOf, REDRIVE_HEADERS.onlyWebhook]) {
      const value = text(headers[name]);
      if (value !== null) partnerRules[name] = value;
    }
  }
  return { ...planned, redrive: { ok: true, record: { topic: context.topics.changesRedrive, key, value: bytes, headers: { ...from, [REDRIVE_HEADERS.sourceOffset]: logOffset, ...partnerRules } } } };
}
