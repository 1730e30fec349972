import { describe, expect, it } from 'vitest';
import { applyConfigChange, applySecrets, emptyView, prerequisitesMet, secretOf, secretRowOf } from '../../../src/config/view.js';
import { apply, configChange, configured, webhookRow } from '../../support/config-fixtures.js';

const T0 = Date.parse('2026-11-29T10:00:00Z');

describe('configuration view', () => {
  it('follows inserts, updates and deletes of every configuration table', () => {
    const view = configured();
    expect(view.webhooks.get(1)).toMatchObject({ name: 'Watch', active: true, maxAttempts: 15 });
    apply(view, 'webhooks', 'u', webhookRow({ max_attempts: 30 }));
    expect(view.webhooks.get(1)?.maxAttempts).toBe(30);
    apply(view, 'webhook_headers', 'd', { id: 1, webhook_id: 1, name: 'Authorization', value: 'x' });
    expect(view.headers.size).toBe(0);
    apply(view, 'webhooks', 'd', webhookRow());
    expect(view.webhooks.has(1)).toBe(false);
  });

  it('needs both ERP parameters on', () => {
    const view = emptyView();
    expect(prerequisitesMet(view)).toBe(false);
    apply(view, 'erp_parameters', 'r', { key: 'use_webhooks', value: 'true' });
    expect(prerequisitesMet(view)).toBe(false);
    apply(view, 'erp_parameters', 'r', { key: 'use_streaming', value: 'true' });
    expect(prerequisitesMet(view)).toBe(true);
    apply(view, 'erp_parameters', 'u', { key: 'use_streaming', value: 'false' });
    expect(prerequisitesMet(view)).toBe(false);
  });

  it('counts a webhook active from the commit that activated it, and keeps that time while it stays active', () => {
    const view = configured({ active: false }, T0);
    expect(view.webhooks.get(1)?.activeSince).toBeNull();
    apply(view, 'webhooks', 'u', webhookRow({ active: true }), T0 + 60_000);
    expect(view.webhooks.get(1)?.activeSince).toBe(T0 + 60_000);
    apply(view, 'webhooks', 'u', webhookRow({ active: true, name: 'renamed' }), T0 + 120_000);
    expect(view.webhooks.get(1)?.activeSince).toBe(T0 + 60_000);
    apply(view, 'webhooks', 'u', webhookRow({ active: false }), T0 + 180_000);
    apply(view, 'webhooks', 'u', webhookRow({ active: true }), T0 + 240_000);
    expect(view.webhooks.get(1)?.activeSince).toBe(T0 + 240_000);
  });

  it('takes activated_at for a webhook read in the snapshot', () => {
    const view = emptyView();
    apply(view, 'webhooks', 'r', webhookRow({ activated_at: '2026-11-01T08:00:00Z' }), T0);
    expect(view.webhooks.get(1)?.activeSince).toBe(Date.parse('2026-11-01T08:00:00Z'));
  });

  it('keeps secret columns apart, as read from the ERP, never from a change', () => {
    const view = emptyView();
    // A change that still carries a secret column (captured before the connector left it out) does not set it.
    applyConfigChange(view, 'webhook_headers', configChange('webhook_headers', 'c', { id: 4, webhook_id: 1, name: 'Authorization', value: 'Bearer from-the-log' }));
    expect(view.headers.get(4)).toEqual({ id: 4, ownerId: 1, name: 'Authorization' });
    expect(secretOf(view, 'webhook_headers', 4)).toBeUndefined();
    expect(applySecrets(view, 'webhook_headers', 4, { value: 'Bearer from-the-erp' })).toBe(true);
    expect(secretOf(view, 'webhook_headers', 4)).toEqual({ value: 'Bearer from-the-erp' });
    // An update keeps the value last read until the next read.
    applyConfigChange(view, 'webhook_headers', configChange('webhook_headers', 'u', { id: 4, webhook_id: 1, name: 'X-Key' }));
    expect(secretOf(view, 'webhook_headers', 4)).toEqual({ value: 'Bearer from-the-erp' });
  });

  it('forgets a row\'s secrets with the row, and ignores a read that comes back after its delete', () => {
    const view = configured();
    expect(secretOf(view, 'webhook_headers', 1)).toEqual({ value: 'Bearer s3cr3t' });
    apply(view, 'webhook_headers', 'd', { id: 1, webhook_id: 1, name: 'Authorization' });
    expect(secretOf(view, 'webhook_headers', 1)).toBeUndefined();
    expect(applySecrets(view, 'webhook_headers', 1, { value: 'late' })).toBe(false);
    expect(view.secrets.has('webhook_headers:1')).toBe(false);
  });

  it('says which row of which table a change asks secrets for', () => {
    expect(secretRowOf('webhooks', configChange('webhooks', 'u', webhookRow({ id: 9 })))).toEqual({ table: 'webhooks', id: 9 });
    expect(secretRowOf('integrators', configChange('integrators', 'd', { id: 3 }))).toEqual({ table: 'integrators', id: 3 });
    expect(secretRowOf('webhook_triggers', configChange('webhook_triggers', 'c', { id: 1, webhook_id: 1 }))).toBeUndefined();
    expect(secretRowOf('erp_parameters', configChange('erp_parameters', 'c', { key: 'use_webhooks', value: 'true' }))).toBeUndefined();
  });
});
