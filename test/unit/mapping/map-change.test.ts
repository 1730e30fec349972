import { describe, expect, it } from 'vitest';
import { type MapResult } from '../../../src/mapping/map-change.js';
import type { TriggerEvent } from '../../../src/contracts/trigger-event.js';
import { change, CONTRACT_ROW, insert, remove, update, world, mapAt } from '../../support/mapping-fixtures.js';

const events = (result: MapResult): TriggerEvent[] => {
  if (!result.ok) throw new Error(`unexpected failure: ${result.reason}`);
  return result.events;
};
const summary = (result: MapResult) => events(result).map((e) => [e.kind, e.entity, e.action, e.integratorId]);

describe('contracts', () => {
  const table: [string, ReturnType<typeof insert>, unknown[][]][] = [
    ['insert', insert('contracts', CONTRACT_ROW), [['standard', 'contracts', 'insert', null], ['contract_change', null, 'insert', null]]],
    ['delete', remove('contracts', CONTRACT_ROW), [['standard', 'contracts', 'delete', null], ['contract_change', null, 'delete', null]]],
    ['stage change', update('contracts', { ...CONTRACT_ROW, stage: 'in_approval' }, { stage: 'approved' }), [['standard', 'contracts', 'update', null], ['contract_change', null, 'update', null], ['contract_service_change', null, 'update', 7]]],
    ['status change (suspended)', update('contracts', CONTRACT_ROW, { status: 'suspended' }), [['standard', 'contracts', 'update', null], ['contract_change', null, 'update', null], ['contract_service_change', null, 'update', 7]]],
    ['billing period change', update('contracts', CONTRACT_ROW, { billing_period: 20 }), [['standard', 'contracts', 'update', null], ['contract_change', null, 'update', null]]],
    ['negotiation change', update('contracts', CONTRACT_ROW, { negotiation_id: 'N-2' }), [['standard', 'contracts', 'update', null], ['contract_change', null, 'update', null]]],
    ['update that changes nothing', update('contracts', CONTRACT_ROW, {}), []],
    ['update of updated_at only', update('contracts', CONTRACT_ROW, { updated_at: '2026-11-29T13:00:00Z' }), []],
  ];
  it.each(table)('%s', (_name, c, expected) => {
    expect(summary(mapAt(c, world()))).toEqual(expected);
  });

  it('describes the contract with stage and status labels, client and services', () => {
    const [, contractChange] = events(mapAt(update('contracts', CONTRACT_ROW, { status: 'courtesy' }), world()));
    expect(contractChange!.body).toEqual({
      CompanyId: 1,
      CompanyTxId: '12.123.123/0001-14',
      ActionType: 1,
      Contract: {
        Id: 100,
        ContractNumber: 'C-100',
        Stage: { Code: 'approved', Label: 'Aprovado' },
        Status: { Code: 'courtesy', Label: 'Cortesia' },
        BillingPeriod: 10,
        ThirdPartyInformation: { NegotiationId: '00090189' },
        Client: { Id: 10, Name: 'Maria Silva', TxId: '123.456.789-09', Email: 'maria@example.com', Phone: '(11)3333-4444', CellPhone: '(11)99999-0000' },
        Services: [{ Id: 300, ServiceProductId: 200, Title: 'HBO', IntegrationCode: 'urn:tve:hbo', IntegratorId: 7 }],
      },
    });
    expect(contractChange).toMatchObject({ aggregateKey: 'contract:100', contractId: 100, companyId: 1 });
  });

  it('describes a deleted contract from its before-image', () => {
    const [standard] = events(mapAt(remove('contracts', { ...CONTRACT_ROW, stage: 'cancelled' }), world()));
    expect(standard!.body).toMatchObject({ ActionType: 2, Contract: { Id: 100, Stage: { Code: 'cancelled', Label: 'Cancelado' } } });
  });
});

describe('contract services', () => {
  const svc = { id: 301, contract_id: 100, service_product_id: 201, created_at: '2026-11-29T12:00:00Z' };
  const table: [string, ReturnType<typeof insert>, unknown[][]][] = [
    ['added', insert('contract_services', svc), [['contract_service_change', null, 'insert', 7]]],
    ['removed', remove('contract_services', svc), [['contract_service_change', null, 'delete', 7]]],
    ['swapped within one integrator', update('contract_services', svc, { service_product_id: 200 }), [['contract_service_change', null, 'update', 7]]],
    ['swapped to another integrator', update('contract_services', svc, { service_product_id: 202 }), [['contract_service_change', null, 'delete', 7], ['contract_service_change', null, 'insert', 8]]],
    ['service without integrator added', insert('contract_services', { ...svc, service_product_id: 203 }), []],
    ['only created_at touched', update('contract_services', svc, { created_at: '2026-11-30T00:00:00Z' }), []],
  ];
  it.each(table)('%s', (_name, c, expected) => {
    expect(summary(mapAt(c, world()))).toEqual(expected);
  });

  it('a swap sends both the removed and the added service', () => {
    const [e] = events(mapAt(update('contract_services', svc, { service_product_id: 200 }), world()));
    expect(e!.body.ServiceChange).toEqual({
      Added: [{ Id: 301, ServiceProductId: 200, Title: 'HBO', IntegrationCode: 'urn:tve:hbo', IntegratorId: 7 }],
      Removed: [{ Id: 301, ServiceProductId: 201, Title: 'Pacote Básico', IntegrationCode: 'urn:tve:dtvgobr', IntegratorId: 7 }],
    });
    expect(e!.integratorId).toBe(7);
  });

  it("lists only the integrator's own services on the contract", () => {
    const state = world().set('contract_services', { id: 302, contract_id: 100, service_product_id: 202, created_at: null });
    const [e] = events(mapAt(insert('contract_services', { ...svc, id: 302, service_product_id: 202 }), state));
    expect((e!.body.Contract as { Services: { Id: number }[] }).Services.map((s) => s.Id)).toEqual([302]);
  });
});

describe('contract patrimonies', () => {
  const link = { id: 700, contract_id: 100, patrimony_id: 400, linked_at: '2026-11-29T12:00:00Z' };
  const table: [string, ReturnType<typeof insert>, unknown[][]][] = [
    ['linked', insert('contract_patrimonies', link), [['contract_patrimony_change', null, 'insert', 7]]],
    ['unlinked', remove('contract_patrimonies', link), [['contract_patrimony_change', null, 'delete', 7]]],
    ['relinked to a patrimony without integrator', update('contract_patrimonies', link, { patrimony_id: 401 }), [['contract_patrimony_change', null, 'delete', 7]]],
    ['patrimony without integrator linked', insert('contract_patrimonies', { ...link, patrimony_id: 401 }), []],
  ];
  it.each(table)('%s', (_name, c, expected) => {
    expect(summary(mapAt(c, world()))).toEqual(expected);
  });
});

describe('standard entities', () => {
  const rows = {
    contract_connections: { id: 800, contract_id: 100, login: 'maria', ip_address: '10.0.0.2', mac_address: 'AA:BB:CC:DD:EE:FF', active: true },
    solicitations: { id: 501, company_id: 1, contract_id: 100, client_id: 10, protocol: 'P-501', subject: 'Sem sinal', status: 'open' },
    reports: { id: 900, solicitation_id: 500, description: 'Técnico agendado', created_at: '2026-11-29T12:00:00Z' },
    receivable_titles: { id: 601, company_id: 1, contract_id: 100, client_id: 10, title_number: 'T-601', issue_date: 20786, due_date: 20796, amount: '99.90', status: 'open' },
    title_receipts: { id: 1000, receivable_title_id: 600, receipt_date: 20790, amount_paid: '99.90', payment_method: 'pix' },
    electronic_signatures: { id: 1100, contract_id: 100, code: '34876', signer_name: ' Teste', email: 'teste@teste.com.br', phone: '(99)9999-9999', url: 'https://example.com/doc', status: 2 },
  } as const;
  const entity = {
    contract_connections: 'contract_connections',
    solicitations: 'solicitations',
    reports: 'reports',
    receivable_titles: 'title_issuance',
    title_receipts: 'title_receipt',
    electronic_signatures: 'electronic_signature',
  } as const;
  const changedColumn: Record<keyof typeof rows, Record<string, unknown>> = {
    contract_connections: { active: false },
    solicitations: { status: 'in_progress' },
    reports: { description: 'Visita realizada' },
    receivable_titles: { status: 'paid' },
    title_receipts: { amount_paid: '100.00' },
    electronic_signatures: { status: 3 },
  };
  const cases = (Object.keys(rows) as (keyof typeof rows)[]).flatMap((table) => [
    [table, 'insert', insert(table, rows[table])] as const,
    [table, 'update', update(table, rows[table], changedColumn[table])] as const,
    [table, 'delete', remove(table, rows[table])] as const,
  ]);
  // Titles and their receipts are also the accounting integration's (Títulos a Pagar/Receber, Títulos Pagos/Recebidos), for Granner and SAP alike.
  const accounting: Partial<Record<keyof typeof rows, string>> = { receivable_titles: 'titles', title_receipts: 'paid_titles' };
  it.each(cases)('%s %s', (table, action, c) => {
    const result = events(mapAt(c, world()));
    const also = accounting[table];
    expect(result.map((e) => [e.kind, e.entity, e.action])).toEqual([
      ['standard', entity[table], action],
      ...(also ? [['accounting', also, action], ['sap', also, action]] : []),
    ]);
    expect(result[0]!.body).toMatchObject({ CompanyId: 1, CompanyTxId: '12.123.123/0001-14', ActionType: { insert: 0, update: 1, delete: 2 }[action] });
    expect(result[0]!.aggregateKey).toBe('contract:100');
  });

  it('shapes the electronic signature exactly as the source document', () => {
    const [e] = events(mapAt(insert('electronic_signatures', rows.electronic_signatures), world()));
    expect(e!.body).toEqual({
      CompanyId: 1,
      CompanyTxId: '12.123.123/0001-14',
      ActionType: 0,
      Contract: {
        ThirdPartyInformation: { NegotiationId: '00090189' },
        ElectronicSignatures: [{ Code: '34876', Name: ' Teste', Email: 'teste@teste.com.br', Phone: '(99)9999-9999', Url: 'https://example.com/doc', Status: 2 }],
      },
    });
  });

  it('turns Debezium dates into calendar dates', () => {
    const [e] = events(mapAt(insert('receivable_titles', rows.receivable_titles), world()));
    expect(e!.body.Title).toMatchObject({ IssueDate: '2026-11-29', DueDate: '2026-12-09', Amount: '99.90', Status: { Code: 'open', Label: 'Em Aberto' } });
  });

  it('finds the contract of a report through its solicitation', () => {
    const [e] = events(mapAt(insert('reports', rows.reports), world()));
    expect(e).toMatchObject({ contractId: 100, body: { Report: { SolicitationId: 500, Protocol: 'P-500', ContractId: 100 } } });
  });

  it('keys a solicitation without contract by its own row', () => {
    const [e] = events(mapAt(insert('solicitations', { ...rows.solicitations, contract_id: null }), world()));
    expect(e).toMatchObject({ contractId: null, aggregateKey: 'solicitations:{"id":501}' });
  });
});

describe('what is never sent', () => {
  it('ignores snapshot reads: history is not sent', () => {
    expect(events(mapAt(change('contracts', 'r', null, CONTRACT_ROW, { snapshot: true }), world()))).toEqual([]);
  });
  it('ignores truncates and logical messages', () => {
    expect(events(mapAt(change('contracts', 't', null, null), world()))).toEqual([]);
    expect(events(mapAt(change('contracts', 'm', null, null), world()))).toEqual([]);
  });
});

describe('bad input gets a reason', () => {
  const cases: [string, ReturnType<typeof insert>, RegExp][] = [
    ['unknown table', insert('invoices', { id: 1 }), /unknown table 'public.invoices'/],
    ['missing contract', insert('contract_connections', { id: 1, contract_id: 999, login: 'x' }), /missing parent row: contracts 999/],
    ['missing solicitation', insert('reports', { id: 1, solicitation_id: 999 }), /missing parent row: solicitations 999/],
    ['missing company', insert('contracts', { ...CONTRACT_ROW, company_id: 55 }), /missing parent row: companies 55/],
    ['missing catalogue item', insert('contract_services', { id: 1, contract_id: 100, service_product_id: 999 }), /missing parent row: service_products 999/],
    ['insert without after image', change('contracts', 'c', null, null), /c event without after image/],
    ['row without primary key', insert('contract_connections', { contract_id: 100 }), /no primary key column 'id'/],
  ];
  it.each(cases)('%s', (_name, c, reason) => {
    const result = mapAt(c, world());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('event ids', () => {
  it('are the same when the same change is mapped again, and differ between events of one change', () => {
    const c = update('contracts', CONTRACT_ROW, { status: 'suspended' });
    const first = events(mapAt(c, world())).map((e) => e.eventId);
    const again = events(mapAt(c, world())).map((e) => e.eventId);
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    for (const id of first) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it('differ for another source position', () => {
    const a = events(mapAt(update('contracts', CONTRACT_ROW, { status: 'suspended' }), world()));
    const b = events(mapAt(update('contracts', CONTRACT_ROW, { status: 'suspended' }), world()));
    expect(a[0]!.eventId).not.toBe(b[0]!.eventId);
  });
  it('carry the source commit time', () => {
    const [e] = events(mapAt(insert('contracts', CONTRACT_ROW), world()));
    expect(e!.source).toMatchObject({ table: 'contracts', primaryKey: '{"id":100}', op: 'c', committedAt: Date.parse('2026-11-29T12:00:00.000Z') });
  });
});

describe('the other trigger kinds', () => {
  const kinds = (c: ReturnType<typeof insert>, state = world()) => events(mapAt(c, state)).map((e) => [e.kind, e.entity, e.action, e.integratorId]);

  it('accounting and SAP: every register of the accounting entities, one event per kind', () => {
    const state = world().set('financial_natures', { id: 5, company_id: null, code: '3.1.01', description: 'Energia', direction: 'expense' });
    expect(kinds(update('people', { id: 10, company_id: null, name: 'Maria Silva' }, { name: 'Maria S.' }))).toEqual([
      ['accounting', 'people', 'update', null],
      ['sap', 'people', 'update', null],
    ]);
    const payable = { id: 80, company_id: 1, supplier_id: 10, title_number: 'P-80', issue_date: 20788, due_date: 20797, amount: '500.00', status: 'open', financial_nature_id: 5 };
    expect(kinds(insert('payable_titles', payable), state)).toEqual([
      ['accounting', 'titles', 'insert', null],
      ['sap', 'titles', 'insert', null],
    ]);
    expect(kinds(remove('financial_natures', { id: 5, company_id: null, code: '3.1.01', description: 'Energia', direction: 'expense' }), state)).toEqual([
      ['accounting', 'financial_natures', 'delete', null],
      ['sap', 'financial_natures', 'delete', null],
    ]);
  });

  it('a shared register has a null CompanyId and is keyed by its own row', () => {
    const [e] = events(mapAt(insert('ledger_accounts', { id: 11, company_id: null, code: '1.1', description: 'Ativo', parent_id: null })));
    expect(e).toMatchObject({ companyId: null, contractId: null, aggregateKey: 'ledger_accounts:{"id":11}', body: { CompanyId: null, CompanyTxId: null } });
  });

  it('a payment of a title payable keeps its title’s order', () => {
    const state = world().set('payable_titles', { id: 80, company_id: 1, supplier_id: 10, title_number: 'P-80', issue_date: 20788, due_date: 20797, amount: '500.00', status: 'open' });
    const [e] = events(mapAt(insert('title_payments', { id: 81, payable_title_id: 80, payment_date: 20797, amount_paid: '500.00', payment_method: 'pix' }), state));
    expect(e).toMatchObject({ kind: 'accounting', entity: 'paid_titles', aggregateKey: 'payable_titles:{"id":80}', body: { Payment: { TitleId: 80, PaymentDate: '2026-12-10' } } });
  });

  it('CRM: insert, update and delete of a lead, but not a save that touches only updated_at', () => {
    const lead = { id: 40, company_id: 1, name: 'João', email: 'j@example.com', phone: null, cell_phone: null, stage: 'new', source: 'site', updated_at: '2026-12-01T10:00:00Z' };
    expect(kinds(insert('crm_leads', lead))).toEqual([['crm', null, 'insert', null]]);
    expect(kinds(update('crm_leads', lead, { stage: 'qualified' }))).toEqual([['crm', null, 'update', null]]);
    expect(kinds(remove('crm_leads', lead))).toEqual([['crm', null, 'delete', null]]);
    expect(kinds(update('crm_leads', lead, { updated_at: '2026-12-02T10:00:00Z' }))).toEqual([]);
  });

  describe('receivables', () => {
    const state = () =>
      world()
        .set('billing_types', { id: 3, title: 'Boleto Finee', auto_receivables_integration: true, integrator_id: 9 })
        .set('billing_types', { id: 4, title: 'Carnê', auto_receivables_integration: false, integrator_id: 9 })
        .set('billing_types', { id: 5, title: 'Boleto sem integrador', auto_receivables_integration: true, integrator_id: null });
    const issued = (billingTypeId: number | null) => ({ id: 610, company_id: 1, contract_id: 100, client_id: 10, title_number: 'T-610', issue_date: 20786, due_date: 20796, amount: '99.90', status: 'open', billing_type_id: billingTypeId });
    const receivables = (c: ReturnType<typeof insert>) => kinds(c, state()).filter(([kind]) => kind === 'receivables');

    it("an issued title whose billing type integrates receivables goes to that type's integrator", () => {
      expect(receivables(insert('receivable_titles', issued(3)))).toEqual([['receivables', null, 'insert', 9]]);
      const [e] = events(mapAt(insert('receivable_titles', issued(3)), state())).filter((x) => x.kind === 'receivables');
      expect(e!.body.Title).toMatchObject({ Id: 610, BillingType: { Id: 3, Title: 'Boleto Finee' } });
    });
    it.each([
      ['without automatic integration', insert('receivable_titles', issued(4))],
      ['without an integrator', insert('receivable_titles', issued(5))],
      ['without a billing type', insert('receivable_titles', issued(null))],
      ['updated, not issued', update('receivable_titles', issued(3), { amount: '89.90' })],
    ])('not a title %s', (_name, c) => {
      expect(receivables(c)).toEqual([]);
    });
  });

  describe('fiscal document status', () => {
    const nfse = { id: 70, company_id: 1, contract_id: 100, client_id: 10, document_type: 'nfse', number: '123', series: '1', issue_date: 20788, amount: '99.90', status: 'pending', authorization_protocol: null, authorized_at: null };
    const status = (c: ReturnType<typeof insert>) => kinds(c).filter(([kind]) => kind === 'fiscal_document_status');
    it('an NFS-e whose status becomes authorized', () => {
      expect(status(update('fiscal_documents', nfse, { status: 'authorized', authorization_protocol: 'P-1' }))).toEqual([['fiscal_document_status', null, 'update', null]]);
      expect(status(insert('fiscal_documents', { ...nfse, status: 'authorized' }))).toEqual([['fiscal_document_status', null, 'insert', null]]);
    });
    it.each([
      ['an NF-e authorized', update('fiscal_documents', { ...nfse, document_type: 'nfe' }, { status: 'authorized' })],
      ['an NFS-e rejected', update('fiscal_documents', nfse, { status: 'rejected' })],
      ['an authorized NFS-e edited', update('fiscal_documents', { ...nfse, status: 'authorized' }, { series: '2' })],
      ['an authorized NFS-e deleted', remove('fiscal_documents', { ...nfse, status: 'authorized' })],
    ])('not %s', (_name, c) => {
      expect(status(c)).toEqual([]);
    });
  });

  describe('tenant solicitation', () => {
    const tenant = { ...{ id: 520, company_id: 1, contract_id: 100, client_id: 10, protocol: 'P-520', subject: 'Ativação', status: 'open' }, integrator_id: 12 };
    const tenants = (c: ReturnType<typeof insert>) => kinds(c).filter(([kind]) => kind === 'tenant_solicitation');
    it.each(['in_progress', 'closed', 'cancelled'])("a tenant's solicitation moving to %s, for that tenant", (status) => {
      expect(tenants(update('solicitations', tenant, { status }))).toEqual([['tenant_solicitation', null, 'update', 12]]);
    });
    it.each([
      ['back to open', update('solicitations', { ...tenant, status: 'in_progress' }, { status: 'open' })],
      ['edited without a status change', update('solicitations', { ...tenant, status: 'in_progress' }, { subject: 'Outro' })],
      ['of no tenant', update('solicitations', { ...tenant, integrator_id: null }, { status: 'closed' })],
      ['deleted', remove('solicitations', { ...tenant, status: 'closed' })],
    ])('not a solicitation %s', (_name, c) => {
      expect(tenants(c)).toEqual([]);
    });
  });
});
