import { describe, expect, it } from 'vitest';
import { BUSINESS_TABLES, CAPTURED_TABLES, changeTopic, CONFIGURATION_TABLES, isConfigurationTable } from '../../../src/capture/tables.js';

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
});
