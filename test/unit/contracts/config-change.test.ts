import { describe, expect, it } from 'vitest';
import type { Change } from '../../../src/capture/envelope.js';
import { configChangeRecord, parseConfigChange } from '../../../src/contracts/config-change.js';

const change: Change = {
  op: 'u', schema: 'public', table: 'webhooks', before: { id: 3, active: false }, after: { id: 3, active: true }, key: { id: 3 },
  committedAt: 1_700_000_000_000, lsn: 42, txId: 7, snapshot: false,
};

describe('configuration change contract', () => {
  it('is keyed by table and primary key, so compaction keeps the last state of each row', () => {
    expect(configChangeRecord(change).key).toBe('webhooks|{"id":3}');
    expect(configChangeRecord({ ...change, table: 'erp_parameters', key: { key: 'use_webhooks' } }).key).toBe('erp_parameters|{"key":"use_webhooks"}');
  });

  it('round-trips the change, and says why a record is not one', () => {
    expect(parseConfigChange(Buffer.from(configChangeRecord(change).value))).toEqual({ ok: true, change });
    expect(parseConfigChange(Buffer.from('{}'))).toMatchObject({ ok: false, reason: expect.stringMatching(/^not a configuration change/) });
    expect(parseConfigChange(Buffer.from('{x'))).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON/) });
    expect(parseConfigChange(null)).toEqual({ ok: false, reason: 'tombstone' });
  });

  it('never carries a secret column, even from a row captured before the connector left them out', () => {
    const header: Change = { ...change, table: 'webhook_headers', before: { id: 5, webhook_id: 3, name: 'Authorization', value: 'Bearer old' }, after: { id: 5, webhook_id: 3, name: 'Authorization', value: 'Bearer new' }, key: { id: 5 } };
    const record = configChangeRecord(header);
    expect(record.value).not.toContain('Bearer');
    expect(parseConfigChange(Buffer.from(record.value))).toMatchObject({ ok: true, change: { before: { id: 5, webhook_id: 3, name: 'Authorization' }, after: { id: 5, webhook_id: 3, name: 'Authorization' } } });
    const webhook = configChangeRecord({ ...change, after: { id: 3, active: true, url: 'https://p/h?token=abc' } });
    expect(webhook.value).not.toContain('token=abc');
  });
});
