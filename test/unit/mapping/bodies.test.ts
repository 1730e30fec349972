import { describe, expect, it } from 'vitest';
import { clientBody, header, serviceBody, servicesOf, signatureBody } from '../../../src/mapping/bodies.js';
import { contractOf, personOf, Records } from '../../../src/mapping/records.js';
import { CONTRACT_ROW, world } from '../../support/mapping-fixtures.js';

const company = { id: 1, name: 'Provedor', txId: '99.999.999/9999-99' };

describe('bodies', () => {
  it('start with CompanyId, CompanyTxId and ActionType', () => {
    expect(header(company, 'delete')).toEqual({ CompanyId: 1, CompanyTxId: '99.999.999/9999-99', ActionType: 2 });
  });

  it('describe a client, or null without one', () => {
    const maria = personOf(world().get('people', 10)!.row);
    expect(clientBody(maria)).toEqual({ Id: 10, Name: 'Maria Silva', TxId: '123.456.789-09', Email: 'maria@example.com', Phone: '(11)3333-4444', CellPhone: '(11)99999-0000' });
    expect(clientBody(undefined)).toBeNull();
  });

  it("list a contract's services, optionally those of one integrator", () => {
    const records = new Records(world());
    expect(servicesOf(100, records)).toEqual([serviceBody({ id: 300, serviceProductId: 200 }, records.serviceProduct(200))]);
    expect(servicesOf(100, records, 8)).toEqual([]);
    expect(servicesOf(999, records)).toEqual([]);
  });

  it('give the electronic signature exactly the fields of the guide', () => {
    const body = signatureBody(company, 'update', { code: '34876', signer_name: 'Teste', email: 'a@b.c', phone: null, url: 'https://x', status: 3 }, contractOf(CONTRACT_ROW));
    expect(body).toEqual({
      CompanyId: 1, CompanyTxId: '99.999.999/9999-99', ActionType: 1,
      Contract: { ThirdPartyInformation: { NegotiationId: '00090189' }, ElectronicSignatures: [{ Code: '34876', Name: 'Teste', Email: 'a@b.c', Phone: null, Url: 'https://x', Status: 3 }] },
    });
  });
});
