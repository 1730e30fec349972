import { describe, expect, it } from 'vitest';
import { decodeChange } from '../../../src/capture/envelope.js';

const source = { version: '3.6.1.Final', connector: 'postgresql', name: 'erp', ts_ms: 1700000000000, snapshot: 'false', db: 'erp', schema: 'public', table: 'contracts', txId: 900, lsn: 2400000 };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('decodeChange', () => {
  it('decodes an update with before and after images', () => {
    const decoded = decodeChange(json({ id: 7 }), json({ before: { id: 7, stage: 'in_approval' }, after: { id: 7, stage: 'approved' }, source, op: 'u', ts_ms: 1700000000100 }));
    expect(decoded).toEqual({
      ok: true,
      change: { op: 'u', schema: 'public', table: 'contracts', before: { id: 7, stage: 'in_approval' }, after: { id: 7, stage: 'approved' }, key: { id: 7 }, committedAt: 1700000000000, lsn: 2400000, txId: 900, snapshot: false },
    });
  });

  it('keeps only the primary key columns of a routed key', () => {
    const decoded = decodeChange(json({ id: 7, __dbz__physicalTableIdentifier: 'erp.public.contracts' }), json({ before: null, after: { id: 7 }, source, op: 'c' }));
    expect(decoded.ok && decoded.change.key).toEqual({ id: 7 });
  });

  it('marks snapshot reads', () => {
    const decoded = decodeChange(null, json({ before: null, after: { id: 1 }, source: { ...source, snapshot: 'last' }, op: 'r' }));
    expect(decoded.ok && decoded.change.snapshot).toBe(true);
  });

  it('gives a reason for what it cannot decode', () => {
    expect(decodeChange(null, null)).toEqual({ ok: false, tombstone: true, reason: 'tombstone (null value)' });
    expect(decodeChange(null, Buffer.from('{not json'))).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON/) });
    expect(decodeChange(null, json({ after: {}, op: 'x', source }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^not a Debezium change event: op/) });
    expect(decodeChange(null, json({ after: {}, op: 'c' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/source/) });
  });
});
