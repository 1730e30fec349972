import { describe, expect, it } from 'vitest';
import { BUSINESS_TABLES } from '../../../src/capture/tables.js';
import { MAPPED_TABLES, mappingFor, TABLE_MAP } from '../../../src/mapping/table-map.js';

describe('table map', () => {
  it('maps only captured business tables', () => {
    for (const table of MAPPED_TABLES) expect(BUSINESS_TABLES as readonly string[]).toContain(table);
  });

  it('finds a mapping by table name, and nothing for an unknown or inherited name', () => {
    expect(mappingFor('contracts')?.role).toBe('contracts');
    expect(mappingFor('invoices')).toBeUndefined();
    expect(mappingFor('toString')).toBeUndefined();
  });

  it('says where each table finds its contract', () => {
    expect(TABLE_MAP.contracts!.contract).toEqual({ self: true });
    expect(TABLE_MAP.reports!.contract).toEqual({ via: 'solicitations', column: 'solicitation_id' });
    expect(TABLE_MAP.title_receipts!.contract).toEqual({ via: 'receivable_titles', column: 'receivable_title_id' });
    expect(TABLE_MAP.contract_services!.contract).toEqual({ column: 'contract_id' });
  });
});
