import { describe, expect, it } from 'vitest';
import {
  BUSINESS_TABLES, CAPTURED_TABLES, changeTopic, CONFIGURATION_TABLES, isConfigurationTable, isSecretTable, SECRET_COLUMNS, secretColumnExcludeList, withoutSecretColumns,
} from '../../../src/capture/tables.js';

describe('captured tables', () => {
  it('are the configuration and the business tables, each once', () => {
    expect(new Set(CAPTURED_TABLES).size).toBe(CONFIGURATION_TABLES.length + BUSINESS_TABLES.length);
    expect(isConfigurationTable('webhooks')).toBe(true);
    expect(isConfigurationTable('contracts')).toBe(false);
  });

  it("name Debezium's topic for a table", () => {
    expect(changeTopic('erp', 'contracts')).toBe('erp.public.contracts');
    expect(changeTopic('erp', 'heartbeat', 'reativa_cdc')).toBe('erp.reativa_cdc.heartbeat');
  });

  it('name the secret columns: tokens, header and parameter values, URLs; all of configuration tables', () => {
    expect(SECRET_COLUMNS).toEqual({
      integrators: ['token', 'url'],
      integrator_parameters: ['value'],
      webhooks: ['url'],
      webhook_headers: ['value'],
      webhook_parameters: ['value'],
    });
    for (const table of Object.keys(SECRET_COLUMNS)) expect(isConfigurationTable(table)).toBe(true);
    // The ERP parameters (use_webhooks, use_streaming) are flags routing needs from the log, not secrets.
    expect(isSecretTable('erp_parameters')).toBe(false);
  });

  it('strip a row of its secret columns, and leave other tables alone', () => {
    expect(withoutSecretColumns('webhook_headers', { id: 1, webhook_id: 2, name: 'Authorization', value: 'Bearer x' })).toEqual({ id: 1, webhook_id: 2, name: 'Authorization' });
    expect(withoutSecretColumns('integrators', { id: 1, alias: 'a', token: 't', url: 'u' })).toEqual({ id: 1, alias: 'a' });
    const row = { key: 'use_webhooks', value: 'true' };
    expect(withoutSecretColumns('erp_parameters', row)).toBe(row);
    expect(withoutSecretColumns('webhooks', null)).toBeNull();
  });

  it("give Debezium's column.exclude.list, one escaped regex per column", () => {
    const list = secretColumnExcludeList().split(',');
    expect(list).toContain('public\\.webhook_headers\\.value');
    expect(list).toHaveLength(6);
  });
});
