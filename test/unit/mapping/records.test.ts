import { describe, expect, it } from 'vitest';
import { contractOf, isoDate, Records } from '../../../src/mapping/records.js';
import { CONTRACT_ROW, remove, world } from '../../support/mapping-fixtures.js';

describe('records', () => {
  it('read a contract row as Debezium sends it', () => {
    expect(contractOf(CONTRACT_ROW)).toEqual({ id: 100, companyId: 1, clientId: 10, contractNumber: 'C-100', stage: 'approved', status: 'normal', billingPeriod: 10, negotiationId: '00090189' });
  });

  it('turn a Debezium DATE into YYYY-MM-DD and leave anything else', () => {
    expect(isoDate(20786)).toBe('2026-11-29');
    expect(isoDate('2026-11-29')).toBe('2026-11-29');
    expect(isoDate(null)).toBeNull();
  });

  it('find rows by id as of the position, a deleted one by its last image', () => {
    const deleted = world().at(remove('contracts', CONTRACT_ROW));
    const records = new Records(deleted);
    expect(records.contract(100)?.contractNumber).toBe('C-100');
    expect(records.person(10)?.cellPhone).toBe('(11)99999-0000');
    expect(records.solicitation(500)).toMatchObject({ contractId: 100, protocol: 'P-500' });
    expect(records.receivableTitle(600)).toMatchObject({ titleNumber: 'T-600' });
    expect(records.company(null)).toBeUndefined();
    expect(records.patrimony(999)).toBeUndefined();
  });

  it("list a contract's services, leaving deleted ones out", () => {
    const w = world();
    expect(new Records(w).contractServices(100)).toEqual([{ id: 300, contractId: 100, serviceProductId: 200 }]);
    const gone = w.at(remove('contract_services', { id: 300, contract_id: 100, service_product_id: 200 }));
    expect(new Records(gone).contractServices(100)).toEqual([]);
  });
});
