import { describe, expect, it } from 'vitest';
import { clientBody, contractRecordFromRow, header, serviceBody, servicesOf, signatureBody } from '../../../src/mapping/bodies.js';
import { CONTRACT_ROW, world } from '../../support/mapping-fixtures.js';

const company = { id: 1, name: 'Provedor', txId: '99.999.999/9999-99' };

describe('bodies', () => {
  it('start with CompanyId, CompanyTxId and ActionType', () => {
    expect(header(company, 'delete')).toEqual({ CompanyId: 1, CompanyTxId: '99.999.999/9999-99', ActionType: 2 });
  });

  it('describe a client, or null without one', () => {
    const maria = world().people.get(10)!;
    expect(clientBody(maria)).toEqual({ Id: 10, Name: 'Maria Silva', TxId: '123.456.789-09', Email: 'maria@example.com', Phone: '(11)3333-4444', CellPhone: '(11)99999-0000' });
    expect(clientBody(undefined)).toBeNull();
  });

  it("list a contract's services, optionally those of one integrator", () => {
    const w = world();
    expect(servicesOf(100, w)).toEqual([serviceBody({ id: 300, serviceProductId: 200 }, w.serviceProducts.get(200))]);
    expect(servicesOf(100, w, 8)).toEqual([]);
    expect(servicesOf(999, w)).toEqual([]);
  });

  it('read a contract row as Debezium sends it', () => {
    expect(contractRecordFromRow(CONTRACT_ROW)).toEqual({ id: 100, companyId: 1, clientId: 10, contractNumber: 'C-100', stage: 'approved', status: 'normal', billingPeriod: 10, negotiationId: '00090189' });
  });

  it('give the electronic signature exactly the fields of the guide', () => {
    const body = signatureBody(company, 'update', { code: '34876', signer_name: 'Teste', email: 'a@b.c', phone: null, url: 'https://x', status: 3 }, contractRecordFromRow(CONTRACT_ROW));
    expect(body).toEqual({
      CompanyId: 1, CompanyTxId: '99.999.999/9999-99', ActionType: 1,
      Contract: { ThirdPartyInformation: { NegotiationId: '00090189' }, ElectronicSignatures: [{ Code: '34876', Name: 'Teste', Email: 'a@b.c', Phone: null, Url: 'https://x', Status: 3 }] },
    });
  });
});
