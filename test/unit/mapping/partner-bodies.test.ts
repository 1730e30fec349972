import { describe, expect, it } from 'vitest';
import { leadBody, receivableBody, tenantSolicitationBody } from '../../../src/mapping/partner-bodies.js';
import { personOf } from '../../../src/mapping/records.js';

const company = { id: 1, name: 'Provedor', txId: '99.999.999/9999-99' };
const person = personOf({ id: 10, name: 'Maria Silva', tx_id: '123.456.789-09', email: 'maria@example.com', phone: null, cell_phone: null });
const client = { Id: 10, Name: 'Maria Silva', TxId: '123.456.789-09', Email: 'maria@example.com', Phone: null, CellPhone: null };

describe('partner bodies', () => {
  it('a CRM lead, with its stage labelled', () => {
    const row = { id: 40, name: 'João Lead', email: 'joao@example.com', phone: null, cell_phone: '(11)98888-7777', stage: 'qualified', source: 'site', updated_at: '2026-12-01T10:00:00Z' };
    expect(leadBody(company, 'update', row)).toEqual({
      CompanyId: 1,
      CompanyTxId: '99.999.999/9999-99',
      ActionType: 1,
      Lead: { Id: 40, Name: 'João Lead', Email: 'joao@example.com', Phone: null, CellPhone: '(11)98888-7777', Stage: { Code: 'qualified', Label: 'Qualificado' }, Source: 'site', UpdatedAt: '2026-12-01T10:00:00Z' },
    });
  });

  it('a receivable: the title, its billing type, then its client', () => {
    const row = { id: 600, contract_id: 100, title_number: 'T-600', issue_date: '2026-11-29', due_date: '2026-12-09', amount: '99.90', status: 'open' };
    const body = receivableBody(company, 'insert', row, person, { id: 3, title: 'Boleto Finee', autoReceivablesIntegration: true, integratorId: 9 });
    expect(body).toEqual({
      CompanyId: 1,
      CompanyTxId: '99.999.999/9999-99',
      ActionType: 0,
      Title: {
        Id: 600, ContractId: 100, TitleNumber: 'T-600', IssueDate: '2026-11-29', DueDate: '2026-12-09', Amount: '99.90',
        Status: { Code: 'open', Label: 'Em Aberto' },
        BillingType: { Id: 3, Title: 'Boleto Finee' },
        Client: client,
      },
    });
    expect(Object.keys(body.Title as object)).toEqual(['Id', 'ContractId', 'TitleNumber', 'IssueDate', 'DueDate', 'Amount', 'Status', 'BillingType', 'Client']);
  });

  it("a tenant's solicitation: its new status and the one it left", () => {
    const before = { id: 501, contract_id: null, protocol: 'P-501', subject: 'Sem sinal', status: 'open', integrator_id: 12 };
    expect(tenantSolicitationBody(company, 'update', { ...before, status: 'in_progress' }, before, person)).toEqual({
      CompanyId: 1,
      CompanyTxId: '99.999.999/9999-99',
      ActionType: 1,
      Solicitation: {
        Id: 501, ContractId: null, Protocol: 'P-501', Subject: 'Sem sinal',
        Status: { Code: 'in_progress', Label: 'Em Andamento' },
        PreviousStatus: { Code: 'open', Label: 'Aberta' },
        IntegratorId: 12,
        Client: client,
      },
    });
    expect(tenantSolicitationBody(company, 'insert', { ...before, status: 'closed' }, null, undefined).Solicitation).toMatchObject({ PreviousStatus: null, Client: null });
  });
});
