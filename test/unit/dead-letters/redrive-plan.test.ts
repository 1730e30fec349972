import { describe, expect, it } from 'vitest';
import { deliveryDeadLetterRecord, recordDeadLetter, type DeliveryDeadLetter, type OutgoingRecord } from '../../../src/contracts/dead-letter.js';
import { reativaTopics } from '../../../src/kafka/topics.js';
import { changeOffsetsOf, letterId, parseLetterId, planLetter, readDeadLetter, type ChangeLogReading, type PlanContext, type PlannedLetter, type ReadDeadLetter } from '../../../src/dead-letters/redrive-plan.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-29T12:00:00Z');
const topics = reativaTopics('ns');
const context: PlanContext = { topics, changeLog: 'erp.changes', historyMs: 7 * DAY, now: NOW };

/** A dead letter as `reativa dlq` reads it back from its topic. */
const read = (topic: string, offset: number, out: OutgoingRecord, timestamp = NOW - 1000): ReadDeadLetter => ({
  topic,
  partition: 0,
  offset: String(offset),
  timestamp: String(timestamp),
  key: out.key === null ? null : Buffer.from(out.key),
  value: JSON.parse(out.value) as unknown,
  headers: out.headers,
});

const change = (committedAt: number) =>
  Buffer.from(JSON.stringify({ before: null, after: { id: 7 }, source: { ts_ms: committedAt, db: 'erp', schema: 'public', table: 'contracts', lsn: 42 }, op: 'c' }));
const changeKey = Buffer.from('{"id":7,"__dbz__physicalTableIdentifier":"erp.public.contracts"}');

/** What the mapper writes for a change it could not map, read at `offset` of the change log (or of the redrive topic, with headers). */
function mapperLetter(stage: 'decode' | 'map', sourceTopic: string, options: { value?: Buffer | null; headers?: Record<string, string>; timestamp?: number } = {}) {
  const timestamp = options.timestamp ?? NOW - 60_000;
  return recordDeadLetter(stage, 'missing parent row', sourceTopic, 0, {
    key: changeKey,
    value: options.value === undefined ? change(timestamp) : options.value,
    offset: '120',
    timestamp: String(timestamp),
    headers: options.headers,
  });
}

const target = (letter: PlannedLetter) => {
  if (!letter.redrive.ok) throw new Error(`not redrivable: ${letter.redrive.why}`);
  return letter.redrive.record;
};
const why = (letter: PlannedLetter) => (letter.redrive.ok ? undefined : letter.redrive.why);

const avroDelivery = Buffer.from([0, 0, 0, 0, 9, 0xff, 0x80, 0x01]);
const givenUp = (record: string | undefined, stage: DeliveryDeadLetter['stage'] = 'delivery'): DeliveryDeadLetter => ({
  stage,
  reason: 'HTTP 500 após 6 tentativas',
  failedAt: '2026-11-29T11:00:00.000Z',
  eventId: 'ev-1',
  deliveryId: 'dl-1',
  webhookId: 3,
  webhookName: 'Parceiro',
  contractId: 5,
  kind: 'standard',
  action: 'insert',
  attempts: [],
  ...(record === undefined ? {} : { record }),
});

describe('dead letter ids', () => {
  it('name the dead-letter topic, the partition and the offset, and read back', () => {
    expect(letterId(topics, 'ns.triggers.dlq', 0, '12')).toBe('triggers:0:12');
    expect(letterId(topics, 'ns.deliveries.dlq', 2, '3')).toBe('deliveries:2:3');
    expect(letterId(topics, 'elsewhere', 0, '1')).toBe('elsewhere:0:1');
    expect(parseLetterId(topics, 'triggers:0:12')).toEqual({ topic: 'ns.triggers.dlq', partition: 0, offset: '12' });
    expect(parseLetterId(topics, ' deliveries:2:003 ')).toEqual({ topic: 'ns.deliveries.dlq', partition: 2, offset: '3' });
    for (const bad of ['0:12', 'triggers:0', 'alerts:0:1', 'triggers:a:1']) expect(parseLetterId(topics, bad)).toBeUndefined();
  });

  it('are stable: the same record planned twice has the same id', () => {
    const r = read('ns.triggers.dlq', 4, mapperLetter('map', 'erp.changes'));
    expect(planLetter(r, context).id).toBe(planLetter(r, { ...context, now: NOW + 1000 }).id);
  });
});

describe('mapper letters (decode, map)', () => {
  it('go back to <ns>.changes.redrive with the original key and bytes, as of their offset in the change log', () => {
    const letter = planLetter(read('ns.triggers.dlq', 4, mapperLetter('map', 'erp.changes')), context);
    expect(letter).toMatchObject({ id: 'triggers:0:4', stage: 'map', reason: 'missing parent row', contractId: null, webhookId: null });
    const record = target(letter);
    expect(record.topic).toBe('ns.changes.redrive');
    expect(record.key!.equals(changeKey)).toBe(true);
    expect(record.value.equals(change(NOW - 60_000))).toBe(true);
    expect(record.headers).toEqual({ 'reativa-redriven-from': 'triggers:0:4', 'reativa-source-offset': '120' });
  });

  it('a change redriven before and dead-lettered again keeps its first offset in the change log', () => {
    const again = mapperLetter('decode', 'ns.changes.redrive', { headers: { 'reativa-source-offset': '77', 'reativa-redriven-from': 'triggers:0:1' } });
    const record = target(planLetter(read('ns.triggers.dlq', 9, again), context));
    expect(record.headers).toEqual({ 'reativa-redriven-from': 'triggers:0:9', 'reativa-source-offset': '77' });
  });

  it('a partner_rules redrive the mapper could not map goes back with its as-of position and its webhook', () => {
    const again = mapperLetter('map', 'ns.changes.redrive', {
      headers: { 'reativa-source-offset': '77', 'reativa-as-of-offset': '900', 'reativa-only-webhook': '3', 'reativa-redriven-from': 'deliveries:0:1' },
    });
    expect(target(planLetter(read('ns.triggers.dlq', 9, again), context)).headers).toEqual({
      'reativa-redriven-from': 'triggers:0:9',
      'reativa-source-offset': '77',
      'reativa-as-of-offset': '900',
      'reativa-only-webhook': '3',
    });
  });

  it('are refused past the mapper history, saying why', () => {
    const old = planLetter(read('ns.triggers.dlq', 4, mapperLetter('map', 'erp.changes', { timestamp: NOW - 8 * DAY })), context);
    expect(old.redrive.ok).toBe(false);
    expect(why(old)).toMatch(/before the mapper's history \(REATIVA_CHANGE_LOG_HISTORY reaches back to 2026-11-22T12:00:00.000Z\)/);
    expect(planLetter(read('ns.triggers.dlq', 4, mapperLetter('map', 'erp.changes', { timestamp: NOW - 6 * DAY })), context).redrive.ok).toBe(true);
    // Redriven late and dead-lettered again: its record is recent, the change it carries is not.
    const late = recordDeadLetter('map', 'x', 'ns.changes.redrive', 0, {
      key: changeKey,
      value: change(NOW - 9 * DAY),
      offset: '3',
      timestamp: String(NOW - 1000),
      headers: { 'reativa-source-offset': '77' },
    });
    expect(why(planLetter(read('ns.triggers.dlq', 5, late), context))).toMatch(/2026-11-20T12:00:00.000Z, before the mapper's history/);
  });

  it('without a place in the change log are not redrivable', () => {
    const noHeader = mapperLetter('decode', 'ns.changes.redrive');
    expect(why(planLetter(read('ns.triggers.dlq', 1, noHeader), context))).toMatch(/no position in the change log \(header reativa-source-offset\)/);
    const otherLog = mapperLetter('decode', 'bench.changes');
    expect(why(planLetter(read('ns.triggers.dlq', 2, otherLog), context))).toMatch(/read from bench.changes, neither the change log \(erp.changes\) nor ns.changes.redrive/);
  });

  it('keep what did not decode, byte for byte', () => {
    const letter = planLetter(read('ns.triggers.dlq', 1, mapperLetter('decode', 'erp.changes', { value: Buffer.from('{not json') })), context);
    expect(target(letter).value.toString()).toBe('{not json');
  });

  it('without a value (a tombstone) are listed, not redrivable', () => {
    const letter = planLetter(read('ns.triggers.dlq', 1, mapperLetter('decode', 'erp.changes', { value: null })), context);
    expect(letter.stage).toBe('decode');
    expect(why(letter)).toMatch(/no bytes kept/);
  });

  it('written before letters kept bytes (the value as text) still go back; Avro written as text does not', () => {
    const legacy = { reason: 'r', stage: 'map', failedAt: 'x', source: { topic: 'erp.changes', partition: 0, offset: '5', timestamp: String(NOW) }, position: null, key: '{"id":7}', value: '{"op":"c"}' };
    const letter = planLetter({ topic: 'ns.triggers.dlq', partition: 0, offset: '1', timestamp: String(NOW), key: null, value: legacy, headers: {} }, context);
    expect(target(letter)).toMatchObject({ topic: 'ns.changes.redrive', headers: { 'reativa-source-offset': '5' } });
    expect(target(letter).value.toString()).toBe('{"op":"c"}');
    expect(target(letter).key!.toString()).toBe('{"id":7}');
    const route = planLetter({ topic: 'ns.triggers.dlq', partition: 0, offset: '2', timestamp: String(NOW), key: null, value: { ...legacy, stage: 'route' }, headers: {} }, context);
    expect(why(route)).toMatch(/cannot be restored/);
  });
});

describe('routing letters (route)', () => {
  it('go back to <ns>.triggers with the same key and bytes', () => {
    const avro = Buffer.from([0, 0, 0, 0, 7, 0xff, 0xfe, 0x80]);
    const out = recordDeadLetter('route', 'trigger event not routed: bad', 'ns.triggers', 1, { key: Buffer.from('contract:12'), value: avro, offset: '40', timestamp: String(NOW) });
    const letter = planLetter(read('ns.triggers.dlq', 6, out), context);
    expect(letter).toMatchObject({ id: 'triggers:0:6', stage: 'route', contractId: 12 });
    const record = target(letter);
    expect(record).toMatchObject({ topic: 'ns.triggers', headers: { 'reativa-redriven-from': 'triggers:0:6' } });
    expect(record.key!.toString()).toBe('contract:12');
    expect(record.value.equals(avro)).toBe(true);
  });
});

describe('delivery letters', () => {
  it('deliver (unreadable, from a retry topic) go back to <ns>.deliveries with the same key and bytes, without the retry envelope', () => {
    const out = recordDeadLetter('deliver', 'unreadable delivery', 'ns.deliveries.retry.2', 0, {
      key: Buffer.from('3|contract:5'),
      value: avroDelivery,
      offset: '8',
      timestamp: String(NOW),
      headers: { 'reativa-attempt': '3', 'reativa-due-at': '1' },
    });
    const letter = planLetter(read('ns.deliveries.dlq', 2, out), context);
    expect(letter).toMatchObject({ id: 'deliveries:0:2', stage: 'deliver', webhookId: 3, contractId: 5 });
    const record = target(letter);
    expect(record.topic).toBe('ns.deliveries');
    expect(record.key!.toString()).toBe('3|contract:5');
    expect(record.value.equals(avroDelivery)).toBe(true);
    expect(record.headers).toEqual({ 'reativa-redriven-from': 'deliveries:0:2' });
  });

  it('delivery (given up) sends the record as routed to <ns>.deliveries, keyed as the letter, attempts starting over', () => {
    const out = deliveryDeadLetterRecord('3|contract:5', givenUp(avroDelivery.toString('base64')));
    const letter = planLetter(read('ns.deliveries.dlq', 0, out), context);
    expect(letter).toMatchObject({ id: 'deliveries:0:0', stage: 'delivery', webhookId: 3, contractId: 5, eventId: 'ev-1', failedAt: '2026-11-29T11:00:00.000Z' });
    const record = target(letter);
    expect(record.topic).toBe('ns.deliveries');
    expect(record.key!.toString()).toBe('3|contract:5');
    expect(record.value.equals(avroDelivery)).toBe(true);
    expect(record.headers).toEqual({ 'reativa-redriven-from': 'deliveries:0:0' });
  });

  it('are not refused for age: only the mapper has a history limit', () => {
    const out = deliveryDeadLetterRecord('3|contract:5', givenUp(avroDelivery.toString('base64')));
    expect(planLetter(read('ns.deliveries.dlq', 0, out, NOW - 25 * DAY), context).redrive.ok).toBe(true);
  });

  it('partner_rules keeping the delivery go back to the deliveries topic, once the ERP data is fixed', () => {
    const refused = planLetter(read('ns.deliveries.dlq', 4, deliveryDeadLetterRecord('3|contract:5', givenUp(avroDelivery.toString('base64'), 'partner_rules'))), context);
    expect(refused.stage).toBe('partner_rules');
    expect(refused.redrive).toMatchObject({ ok: true, record: { topic: 'ns.deliveries' } });
  });

  it('partner_rules letters from before refusals kept the delivery, and any letter without a record, are listed and not redrivable, with the reason', () => {
    const refused = planLetter(read('ns.deliveries.dlq', 1, deliveryDeadLetterRecord('3|contract:5', givenUp(undefined, 'partner_rules'))), context);
    expect(refused.stage).toBe('partner_rules');
    expect(why(refused)).toMatch(/partner's rules refused it, and this letter predates refusals keeping the delivery/);
    expect(why(planLetter(read('ns.deliveries.dlq', 2, deliveryDeadLetterRecord('k', givenUp(undefined))), context))).toBe('it keeps no record to send');
    expect(why(planLetter(read('ns.deliveries.dlq', 3, deliveryDeadLetterRecord('k', givenUp('not*base64'))), context))).toBe('its record is not base64');
  });
});

describe('partner_rules letters that keep their change', () => {
  /** A refusal of the event mapped from the change at offset 120 of the change log, keeping the delivery too. */
  const refusal = (changeOffset: string | null = '120') =>
    deliveryDeadLetterRecord('3|contract:5', { ...givenUp(avroDelivery.toString('base64'), 'partner_rules'), ...(changeOffset === null ? {} : { changeOffset }) });
  /** The change log as read at planning: it starts at 100, ends at 900, and holds the change at 120. */
  const log = (records: ChangeLogReading['records'] = new Map([[120, { key: changeKey, value: change(NOW - 60_000), timestamp: String(NOW - 60_000) }]])): PlanContext => ({
    ...context,
    changeLogNow: { low: 100, last: 900, records },
  });

  it('name the change log offsets to read back, once each, and only theirs', () => {
    const letters = [read('ns.deliveries.dlq', 1, refusal('120')), read('ns.deliveries.dlq', 2, refusal('120')), read('ns.deliveries.dlq', 3, refusal('7')), read('ns.deliveries.dlq', 4, refusal(null))];
    const mapLetter = read('ns.triggers.dlq', 5, mapperLetter('map', 'erp.changes'));
    expect(changeOffsetsOf([...letters, mapLetter])).toEqual([7, 120]);
  });

  it('send the change back to the mapper, as of the change log\'s last offset, for the refusing webhook only', () => {
    const letter = planLetter(read('ns.deliveries.dlq', 4, refusal()), log());
    expect(letter).toMatchObject({ id: 'deliveries:0:4', stage: 'partner_rules', webhookId: 3, contractId: 5, eventId: 'ev-1' });
    const record = target(letter);
    expect(record.topic).toBe('ns.changes.redrive');
    expect(record.key!.equals(changeKey)).toBe(true);
    expect(record.value.equals(change(NOW - 60_000))).toBe(true);
    expect(record.headers).toEqual({
      'reativa-redriven-from': 'deliveries:0:4',
      'reativa-source-offset': '120',
      'reativa-as-of-offset': '900',
      'reativa-only-webhook': '3',
    });
    // Planned again with the log as it is then: the same change, a later position.
    expect(target(planLetter(read('ns.deliveries.dlq', 4, refusal()), { ...log(), changeLogNow: { ...log().changeLogNow!, last: 950 } })).headers['reativa-as-of-offset']).toBe('950');
  });

  it('are refused, saying why, when the change is no longer in the change log or is older than the mapper\'s history', () => {
    expect(why(planLetter(read('ns.deliveries.dlq', 4, refusal()), log(new Map())))).toMatch(/its change \(offset 120 of erp.changes\) is no longer in the change log \(compacted or past its retention; the log starts at 100\)/);
    expect(why(planLetter(read('ns.deliveries.dlq', 4, refusal('50')), log()))).toMatch(/offset 50 of erp.changes\) is no longer in the change log/);
    const old = log(new Map([[120, { key: changeKey, value: change(NOW - 8 * DAY), timestamp: String(NOW - 8 * DAY) }]]));
    expect(why(planLetter(read('ns.deliveries.dlq', 4, refusal()), old))).toMatch(/the change dates from 2026-11-21T12:00:00.000Z, before the mapper's history .*: the mapper maps no change that old again/);
    // The log not read (a caller that does not read it): refused rather than sent stale.
    expect(why(planLetter(read('ns.deliveries.dlq', 4, refusal()), context))).toMatch(/the change log \(erp.changes\) was not read/);
  });

  it('written before letters kept the change still send the delivery as it was refused', () => {
    expect(target(planLetter(read('ns.deliveries.dlq', 4, refusal(null)), log())).topic).toBe('ns.deliveries');
  });
});

describe('records that are not dead letters', () => {
  it('are listed as unknown and never redriven', () => {
    const notJson = planLetter({ topic: 'ns.triggers.dlq', partition: 0, offset: '0', timestamp: String(NOW), key: null, value: undefined, headers: {} }, context);
    expect(notJson).toMatchObject({ stage: 'unknown', id: 'triggers:0:0' });
    expect(why(notJson)).toMatch(/not JSON/);
    const strange = planLetter({ topic: 'ns.triggers.dlq', partition: 0, offset: '1', timestamp: String(NOW), key: null, value: { stage: 'elsewhere', reason: 'r' }, headers: {} }, context);
    expect(strange).toMatchObject({ stage: 'unknown', reason: 'r' });
    expect(strange.redrive.ok).toBe(false);
  });
});

describe('reading a dead letter from its topic', () => {
  it('parses the value as JSON, or leaves it undefined, and keeps each header\'s first value as text', () => {
    const message = { key: Buffer.from('k'), value: Buffer.from('{"stage":"route"}'), timestamp: String(NOW), offset: '7', attributes: 0, headers: { a: Buffer.from('1'), b: [Buffer.from('2'), Buffer.from('3')], c: undefined } };
    expect(readDeadLetter('ns.triggers.dlq', { partition: 2, message })).toEqual({
      topic: 'ns.triggers.dlq', partition: 2, offset: '7', timestamp: String(NOW), key: Buffer.from('k'), value: { stage: 'route' }, headers: { a: '1', b: '2' },
    });
    expect(readDeadLetter('t', { partition: 0, message: { ...message, value: Buffer.from('not json') } }).value).toBeUndefined();
    expect(readDeadLetter('t', { partition: 0, message: { ...message, value: null } }).value).toBeUndefined();
  });
});
