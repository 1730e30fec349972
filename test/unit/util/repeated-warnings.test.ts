import { describe, expect, it } from 'vitest';
import { RepeatedWarnings } from '../../../src/util/repeated-warnings.js';

function sink() {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  return { lines, warn: (fields: object, message: string) => void lines.push({ fields: fields as Record<string, unknown>, message }) };
}

describe('RepeatedWarnings', () => {
  it('logs a cause in full up to the limit, then sums up the rest in one line when the window ends', () => {
    const out = sink();
    let clock = 0;
    const warnings = new RepeatedWarnings(out, 2, () => clock);
    for (let i = 1; i <= 5; i++) warnings.warn('delivery dead-lettered', { webhookId: 7, reason: 'webhook inativo' }, { deliveryId: `d${i}` });
    expect(out.lines.map((l) => l.fields['deliveryId'])).toEqual(['d1', 'd2']);
    expect(out.lines[0]).toEqual({ fields: { webhookId: 7, reason: 'webhook inativo', deliveryId: 'd1' }, message: 'delivery dead-lettered' });

    clock = 60_000;
    warnings.flush();
    expect(out.lines).toHaveLength(3);
    expect(out.lines[2]).toEqual({
      fields: { webhookId: 7, reason: 'webhook inativo', repeated: 3, logged: 2, windowS: 60, last: { deliveryId: 'd5' } },
      message: 'delivery dead-lettered: 3 more in the last 60 s, not logged one by one',
    });

    // A fresh window: logged in full again.
    warnings.warn('delivery dead-lettered', { webhookId: 7, reason: 'webhook inativo' }, { deliveryId: 'd6' });
    expect(out.lines.at(-1)?.fields['deliveryId']).toBe('d6');
  });

  it('keeps causes apart: another webhook, reason or message has its own count', () => {
    const out = sink();
    const warnings = new RepeatedWarnings(out, 1, () => 0);
    warnings.warn('delivery dead-lettered', { webhookId: 1, reason: 'webhook inativo' });
    warnings.warn('delivery dead-lettered', { webhookId: 2, reason: 'webhook inativo' });
    warnings.warn('delivery dead-lettered', { webhookId: 1, reason: 'webhook removido' });
    warnings.warn('delivery refused by partner rules', { webhookId: 1, reason: 'webhook inativo' });
    warnings.warn('delivery dead-lettered', { webhookId: 1, reason: 'webhook inativo' });
    expect(out.lines).toHaveLength(4);
  });

  it('writes no summary for a window with nothing left out', () => {
    const out = sink();
    const warnings = new RepeatedWarnings(out, 3, () => 0);
    warnings.warn('delivery dead-lettered', { webhookId: 1, reason: 'x' });
    warnings.flush();
    expect(out.lines).toHaveLength(1);
  });

  it('logs in full past the causes it keeps apart, so memory stays bounded', () => {
    const out = sink();
    const warnings = new RepeatedWarnings(out, 1, () => 0, 2);
    for (const reason of ['a', 'a', 'b', 'b', 'c', 'c']) warnings.warn('delivery dead-lettered', { webhookId: 1, reason });
    // a and b are tracked (one line each, one left out each); c is past the limit of causes, every one logged.
    expect(out.lines.map((l) => l.fields['reason'])).toEqual(['a', 'b', 'c', 'c']);
    warnings.flush();
    expect(out.lines.slice(4).map((l) => [l.fields['reason'], l.fields['repeated']])).toEqual([['a', 1], ['b', 1]]);
  });

  it('stop() logs what the last window left out', () => {
    const out = sink();
    const warnings = new RepeatedWarnings(out, 1, () => 0).start(60_000);
    warnings.warn('delivery dead-lettered', { webhookId: 1, reason: 'x' });
    warnings.warn('delivery dead-lettered', { webhookId: 1, reason: 'x' });
    warnings.stop();
    expect(out.lines.at(-1)?.fields['repeated']).toBe(1);
  });
});
