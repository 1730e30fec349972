// A small ERP world for the mapper's unit tests: one company, one client, one
// approved contract with one streaming service, catalogue items of two
// integrators, patrimonies, a solicitation and a title.
import type { Change, Row } from '../../src/capture/envelope.js';
import type { Enrichment } from '../../src/mapping/enrichment.js';

export const COMMITTED_AT = Date.parse('2026-11-29T12:00:00.000Z');

export function world(): Enrichment {
  return {
    companies: new Map([[1, { id: 1, name: 'Provedor Exemplo', txId: '12.123.123/0001-14' }]]),
    people: new Map([[10, { id: 10, name: 'Maria Silva', txId: '123.456.789-09', email: 'maria@example.com', phone: '(11)3333-4444', cellPhone: '(11)99999-0000' }]]),
    contracts: new Map([[100, { id: 100, companyId: 1, clientId: 10, contractNumber: 'C-100', stage: 'approved', status: 'normal', billingPeriod: 10, negotiationId: '00090189' }]]),
    serviceProducts: new Map([
      [200, { id: 200, title: 'HBO', usesStreaming: true, integratorId: 7, integrationCode: 'urn:tve:hbo' }],
      [201, { id: 201, title: 'Pacote Básico', usesStreaming: true, integratorId: 7, integrationCode: 'urn:tve:dtvgobr' }],
      [202, { id: 202, title: 'Skeelo', usesStreaming: true, integratorId: 8, integrationCode: 'SKL-1' }],
      [203, { id: 203, title: 'Internet 500M', usesStreaming: false, integratorId: null, integrationCode: null }],
    ]),
    patrimonies: new Map([
      [400, { id: 400, serialNumber: 'SN-400', description: 'Set-top box', integratorId: 7, integrationCode: 'STB' }],
      [401, { id: 401, serialNumber: 'SN-401', description: 'Roteador', integratorId: null, integrationCode: null }],
    ]),
    contractServices: new Map([[100, [{ id: 300, contractId: 100, serviceProductId: 200, createdAt: '2026-11-01 10:00:00+00' }]]]),
    solicitations: new Map([[500, { id: 500, companyId: 1, contractId: 100, clientId: 10, protocol: 'P-500' }]]),
    receivableTitles: new Map([[600, { id: 600, companyId: 1, contractId: 100, clientId: 10, titleNumber: 'T-600' }]]),
  };
}

export const CONTRACT_ROW: Row = {
  id: 100, company_id: 1, client_id: 10, contract_number: 'C-100', stage: 'approved', status: 'normal',
  billing_period: 10, negotiation_id: '00090189', updated_at: '2026-11-29T12:00:00Z',
};

let lsn = 1000;
export function change(table: string, op: Change['op'], before: Row | null, after: Row | null, extra: Partial<Change> = {}): Change {
  lsn += 8;
  return { op, schema: 'public', table, before, after, key: { id: (after ?? before)?.id ?? null }, committedAt: COMMITTED_AT, lsn, txId: 77, snapshot: false, ...extra };
}

export const insert = (table: string, row: Row) => change(table, 'c', null, row);
export const update = (table: string, before: Row, patch: Row) => change(table, 'u', before, { ...before, ...patch });
export const remove = (table: string, row: Row) => change(table, 'd', row, null);
