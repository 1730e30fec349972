import { describe, expect, it } from 'vitest';
import {
  fiscalDocumentBody,
  ledgerAccountBody,
  movementBody,
  natureBody,
  paidTitlesBody,
  personBody,
  titlesBody,
} from '../../../src/mapping/accounting-bodies.js';
import { personOf } from '../../../src/mapping/records.js';

const company = { id: 1, name: 'Provedor', txId: '99.999.999/9999-99' };
const person = personOf({ id: 10, company_id: 1, name: 'Maria Silva', tx_id: '123.456.789-09', email: 'maria@example.com', phone: null, cell_phone: '(11)99999-0000' });
const client = { Id: 10, Name: 'Maria Silva', TxId: '123.456.789-09', Email: 'maria@example.com', Phone: null, CellPhone: '(11)99999-0000' };
const nature = { id: 5, code: '3.1.01', description: 'Energia elétrica' };

describe('accounting bodies', () => {
  it('a person of the register shared by every branch has no company', () => {
    expect(personBody(undefined, 'insert', person)).toEqual({ CompanyId: null, CompanyTxId: null, ActionType: 0, Person: client });
    expect(personBody(company, 'delete', person)).toMatchObject({ CompanyId: 1, CompanyTxId: '99.999.999/9999-99', ActionType: 2 });
  });

  it('a fiscal document, with its type and status labelled', () => {
    const row = { id: 70, contract_id: 100, document_type: 'nfse', number: '123', series: '1', issue_date: '2026-12-01', amount: '99.90', status: 'authorized', authorization_protocol: 'P-1', authorized_at: '2026-12-01T10:00:00Z' };
    expect(fiscalDocumentBody(company, 'update', row, person)).toEqual({
      CompanyId: 1,
      CompanyTxId: '99.999.999/9999-99',
      ActionType: 1,
      FiscalDocument: {
        Id: 70,
        ContractId: 100,
        DocumentType: { Code: 'nfse', Label: 'NFS-e' },
        Number: '123',
        Series: '1',
        IssueDate: '2026-12-01',
        Amount: '99.90',
        Status: { Code: 'authorized', Label: 'Autorizada' },
        AuthorizationProtocol: 'P-1',
        AuthorizedAt: '2026-12-01T10:00:00Z',
        Client: client,
      },
    });
  });

  it('a title payable, with its supplier and financial nature; a receivable one has none', () => {
    const row = { id: 80, title_number: 'P-80', issue_date: '2026-12-01', due_date: '2026-12-10', amount: '500.00', status: 'open', financial_nature_id: 5 };
    expect(titlesBody(company, 'insert', 'payable', row, person, nature).Title).toEqual({
      Id: 80,
      Type: { Code: 'payable', Label: 'A Pagar' },
      TitleNumber: 'P-80',
      ContractId: null,
      IssueDate: '2026-12-01',
      DueDate: '2026-12-10',
      Amount: '500.00',
      Status: { Code: 'open', Label: 'Em Aberto' },
      FinancialNature: { Id: 5, Code: '3.1.01', Description: 'Energia elétrica' },
      Person: client,
    });
    expect(titlesBody(company, 'insert', 'receivable', { ...row, contract_id: 100 }, person, undefined).Title).toMatchObject({ Type: { Code: 'receivable', Label: 'A Receber' }, ContractId: 100, FinancialNature: null });
  });

  it('a payment names its title and takes the date of its side', () => {
    const title = { id: 80, titleNumber: 'P-80', contractId: null };
    expect(paidTitlesBody(company, 'insert', 'payable', { id: 81, payment_date: '2026-12-10', amount_paid: '500.00', payment_method: 'boleto' }, title).Payment).toEqual({
      Id: 81, Type: { Code: 'payable', Label: 'A Pagar' }, TitleId: 80, TitleNumber: 'P-80', ContractId: null, PaymentDate: '2026-12-10', AmountPaid: '500.00', PaymentMethod: 'boleto',
    });
    expect(paidTitlesBody(company, 'insert', 'receivable', { id: 82, receipt_date: '2026-12-11', amount_paid: '99.90', payment_method: null }, { ...title, contractId: 100 }).Payment).toMatchObject({ PaymentDate: '2026-12-11', ContractId: 100, PaymentMethod: null });
  });

  it('a financial movement, a nature and a ledger account', () => {
    expect(movementBody(company, 'insert', { id: 90, bank_account: '001-1234', movement_date: '2026-12-02', direction: 'debit', amount: '10.00', description: 'Tarifa' }, undefined).FinancialMovement).toEqual({
      Id: 90, BankAccount: '001-1234', MovementDate: '2026-12-02', Direction: { Code: 'debit', Label: 'Débito' }, Amount: '10.00', FinancialNature: null, Description: 'Tarifa',
    });
    expect(natureBody(undefined, 'update', { id: 5, code: '3.1.01', description: 'Energia elétrica', direction: 'expense' })).toEqual({
      CompanyId: null, CompanyTxId: null, ActionType: 1, FinancialNature: { Id: 5, Code: '3.1.01', Description: 'Energia elétrica', Direction: { Code: 'expense', Label: 'Despesa' } },
    });
    expect(ledgerAccountBody(company, 'insert', { id: 12, code: '1.1.2', description: 'Bancos', parent_id: 11 }, { id: 11, code: '1.1' }).LedgerAccount).toEqual({ Id: 12, Code: '1.1.2', Description: 'Bancos', ParentId: 11, ParentCode: '1.1' });
    expect(ledgerAccountBody(company, 'insert', { id: 11, code: '1.1', description: 'Ativo circulante', parent_id: null }, undefined).LedgerAccount).toMatchObject({ ParentId: null, ParentCode: null });
  });
});
