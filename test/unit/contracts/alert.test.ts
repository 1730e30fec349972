import { describe, expect, it } from 'vitest';
import { alert, alertRecord } from '../../../src/contracts/alert.js';

describe('alert contract', () => {
  it('gives the same alert the same id, and another identity another id', () => {
    const w = { id: 3, name: 'Watch' };
    const a = alert('webhook_invalid', w, 'Webhook "Watch" inativo', {}, 'sig-1', new Date('2026-11-29T12:00:00Z'));
    expect(alert('webhook_invalid', w, 'other text', {}, 'sig-1').alertId).toBe(a.alertId);
    expect(alert('webhook_invalid', w, 'Webhook "Watch" inativo', {}, 'sig-2').alertId).not.toBe(a.alertId);
    expect(alert('webhook_valid', w, '', {}, 'sig-1').alertId).not.toBe(a.alertId);
    expect(a).toMatchObject({ type: 'webhook_invalid', at: '2026-11-29T12:00:00.000Z', webhookId: 3, webhookName: 'Watch' });
  });

  it('is keyed by webhook id, with its id in a header', () => {
    const a = alert('delivery_failed', { id: 9, name: 'X' }, 'm', {}, 'i');
    expect(alertRecord(a)).toEqual({ key: '9', value: JSON.stringify(a), headers: { 'reativa-alert-id': a.alertId } });
  });
});
