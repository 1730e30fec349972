import { describe, expect, it } from 'vitest';
import { recordDeadLetter, deliveryDeadLetterRecord, deliveryFields, partnerRulesRedriveOf, sourceOffsetOf } from '../../../src/contracts/dead-letter.js';
import type { Delivery } from '../../../src/contracts/delivery.js';

describe('dead-letter contracts', () => {
  it('keeps a change that could not be taken in, with its reason and where it was read', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const out = recordDeadLetter('map', 'missing parent row: contracts 9', 'erp.public.reports', 2, { key: Buffer.from('{"id":1}'), value: Buffer.from('{"op":"c"}'), offset: '17', timestamp: '1700' }, { table: 'reports', lsn: 99 }, now);
    expect(out.headers).toEqual({ 'reativa-stage': 'map', 'reativa-reason': 'missing parent row: contracts 9' });
    expect(JSON.parse(out.value)).toEqual({
      reason: 'missing parent row: contracts 9', stage: 'map', failedAt: '2026-11-29T12:00:00.000Z',
      source: { topic: 'erp.public.reports', partition: 2, offset: '17', timestamp: '1700' }, position: { table: 'reports', lsn: 99 },
      key: '{"id":1}', value: Buffer.from('{"op":"c"}').toString('base64'), text: '{"op":"c"}', headers: {},
    });
  });

  it('keeps binary values intact in base64, with no text, and the record\'s headers', () => {
    const avro = Buffer.from([0, 0, 0, 0, 7, 0xff, 0xfe, 0x80]);
    const out = recordDeadLetter('route', 'unreadable', 't', 0, { key: null, value: avro, offset: '1', timestamp: '2', headers: { a: Buffer.from('x'), b: ['y', 'z'] } });
    const letter = JSON.parse(out.value) as { value: string; text: string | null; headers: Record<string, string> };
    expect(Buffer.from(letter.value, 'base64').equals(avro)).toBe(true);
    expect(letter.text).toBeNull();
    expect(letter.headers).toEqual({ a: 'x', b: 'y' });
  });

  it('cuts the reason header at 200 characters', () => {
    const out = recordDeadLetter('decode', 'x'.repeat(500), 't', 0, { key: null, value: null, offset: '0', timestamp: '0' });
    expect(out.headers['reativa-reason']).toHaveLength(200);
  });

  it('writes a delivery dead letter keyed like its delivery', () => {
    const d = { eventId: 'e', deliveryId: 'd', webhookId: 3, url: 'https://p', contractId: 5, kind: 'standard', entity: 'contracts', action: 'insert' } as Delivery;
    const letter = { stage: 'delivery' as const, reason: 'r', failedAt: 'now', webhookName: 'W', attempts: [], ...deliveryFields(d) };
    const out = deliveryDeadLetterRecord('3|contract:5', letter);
    expect(out.key).toBe('3|contract:5');
    expect(out.headers).toEqual({ 'reativa-event-id': 'e', 'reativa-stage': 'delivery' });
    expect(JSON.parse(out.value)).toMatchObject({ eventId: 'e', deliveryId: 'd', webhookId: 3, contractId: 5 });
  });

  it('reads the headers of a redriven change: its place in the change log, and for a partner_rules redrive the as-of position and the webhook', () => {
    expect(sourceOffsetOf({ headers: { 'reativa-source-offset': Buffer.from('120') } })).toBe(120);
    expect(sourceOffsetOf({ headers: {} })).toBe(-1);
    expect(partnerRulesRedriveOf({ headers: { 'reativa-source-offset': '120' } })).toBeUndefined();
    expect(partnerRulesRedriveOf({ headers: { 'reativa-source-offset': '120', 'reativa-as-of-offset': Buffer.from('900'), 'reativa-only-webhook': '7' } })).toEqual({ ok: true, asOf: 900, webhookId: 7 });
    // One without the other would reach every webhook again: refused.
    expect(partnerRulesRedriveOf({ headers: { 'reativa-as-of-offset': '900' } })).toMatchObject({ ok: false });
    expect(partnerRulesRedriveOf({ headers: { 'reativa-as-of-offset': '900', 'reativa-only-webhook': 'x' } })).toMatchObject({ ok: false });
  });
});
