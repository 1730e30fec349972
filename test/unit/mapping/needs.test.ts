import { describe, expect, it } from 'vitest';
import { enrichmentRequest } from '../../../src/mapping/needs.js';
import { insert, remove } from '../../support/mapping-fixtures.js';

describe('enrichment needs', () => {
  it('gathers, per entity type, every id a batch of changes refers to', () => {
    const request = enrichmentRequest([
      insert('contract_services', { id: 1, contract_id: 100, service_product_id: 200 }),
      insert('reports', { id: 2, solicitation_id: 500 }),
      remove('title_receipts', { id: 3, receivable_title_id: 600 }),
      insert('solicitations', { id: 4, company_id: 1, contract_id: null, client_id: 10 }),
      insert('invoices', { id: 5, contract_id: 777 }),
    ]);
    expect([...request.contracts]).toEqual([100]);
    expect([...request.serviceProducts]).toEqual([200]);
    expect([...request.solicitations]).toEqual([500]);
    expect([...request.receivableTitles]).toEqual([600]);
    expect([...request.companies]).toEqual([1]);
    expect([...request.people]).toEqual([10]);
  });
});
