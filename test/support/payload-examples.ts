// The changes behind each JSON example of docs/payloads.md. The doc test maps
// each one and requires the example to be exactly what the mapper produces.
import type { Change } from '../../src/capture/envelope.js';
import type { TriggerEvent } from '../../src/contracts/trigger-event.js';
import { collectionEvent } from '../../src/mapping/collection.js';
import { Records } from '../../src/mapping/records.js';
import { CONTRACT_ROW, insert, update, world, type World } from './mapping-fixtures.js';

/** The fixture world with the source document's placeholder CNPJ, and the rows the accounting and partner examples need. */
export function exampleWorld(): World {
  return world()
    .set('companies', { id: 1, name: 'Provedor Exemplo', tx_id: '99.999.999/9999-99' })
    .set('people', { id: 20, company_id: 1, name: 'Energia Sul S.A.', tx_id: '11.222.333/0001-44', email: 'faturas@energiasul.example', phone: '(11)4000-1000', cell_phone: null })
    .set('financial_natures', { id: 5, company_id: null, code: '3.1.01', description: 'Energia elétrica', direction: 'expense' })
    .set('ledger_accounts', { id: 11, company_id: null, code: '1.1', description: 'Ativo circulante', parent_id: null })
    .set('payable_titles', { id: 80, company_id: 1, supplier_id: 20, title_number: 'P-80', issue_date: 20788, due_date: 20797, amount: '500.00', status: 'open', financial_nature_id: 5 })
    .set('billing_types', { id: 3, title: 'Boleto Finee', auto_receivables_integration: true, integrator_id: 9 });
}

export interface PayloadExample {
  /** The change the example is mapped from; or, for post-due collection (the clock, not a change), the event itself. */
  readonly change?: Change;
  readonly event?: () => TriggerEvent;
  /** Which of the change's events the example shows. */
  readonly kind: string;
  readonly entity?: string;
}

/** Title 600 (due 2026-12-09) of the fixture world, as the collector finds it. */
const overdueTitle = () => exampleWorld().get('receivable_titles', 600)!.row;
const COLLECTION_KEY = { integratorId: 12, titleId: 600, dueDay: 20796 };

export const PAYLOAD_EXAMPLES: Record<string, PayloadExample> = {
  contract_change: { change: update('contracts', CONTRACT_ROW, { status: 'suspended' }), kind: 'contract_change' },
  contract_service_change: {
    change: update('contract_services', { id: 300, contract_id: 100, service_product_id: 201, created_at: '2026-11-01T10:00:00Z' }, { service_product_id: 200 }),
    kind: 'contract_service_change',
  },
  contract_patrimony_change: {
    change: insert('contract_patrimonies', { id: 700, contract_id: 100, patrimony_id: 400, linked_at: '2026-11-29T12:00:00Z' }),
    kind: 'contract_patrimony_change',
  },
  'standard/contracts': { change: insert('contracts', { ...CONTRACT_ROW, stage: 'in_approval' }), kind: 'standard', entity: 'contracts' },
  'standard/contract_connections': {
    change: insert('contract_connections', { id: 800, contract_id: 100, login: 'maria.silva', ip_address: '100.64.0.2', mac_address: 'AA:BB:CC:DD:EE:FF', active: true }),
    kind: 'standard',
    entity: 'contract_connections',
  },
  'standard/solicitations': {
    change: update('solicitations', { id: 501, company_id: 1, contract_id: 100, client_id: 10, protocol: 'P-501', subject: 'Sem sinal', status: 'open' }, { status: 'in_progress' }),
    kind: 'standard',
    entity: 'solicitations',
  },
  'standard/reports': {
    change: insert('reports', { id: 900, solicitation_id: 500, description: 'Técnico agendado para amanhã', created_at: '2026-11-29T12:00:00Z' }),
    kind: 'standard',
    entity: 'reports',
  },
  'standard/title_issuance': {
    change: insert('receivable_titles', { id: 601, company_id: 1, contract_id: 100, client_id: 10, title_number: 'T-601', issue_date: 20786, due_date: 20796, amount: '99.90', status: 'open' }),
    kind: 'standard',
    entity: 'title_issuance',
  },
  'standard/title_receipt': {
    change: insert('title_receipts', { id: 1000, receivable_title_id: 600, receipt_date: 20790, amount_paid: '99.90', payment_method: 'pix' }),
    kind: 'standard',
    entity: 'title_receipt',
  },
  'standard/electronic_signature': {
    change: insert('electronic_signatures', {
      id: 1100,
      contract_id: 100,
      code: '34876',
      signer_name: ' Teste',
      email: 'teste@teste.com.br',
      phone: '(99)9999-9999',
      url: 'https://vds.voalle.app/documents/05ea417e-b48f-4e96-b837-6ba83646440e/c3312ff6-5269-436e-9f27-2a8dde352d34',
      status: 2,
    }),
    kind: 'standard',
    entity: 'electronic_signature',
  },
  'accounting/people': {
    change: update('people', { id: 10, company_id: null, name: 'Maria Silva', tx_id: '123.456.789-09', email: 'maria@example.com', phone: '(11)3333-4444', cell_phone: '(11)99999-0000' }, { email: 'maria.silva@example.com' }),
    kind: 'accounting',
    entity: 'people',
  },
  'accounting/fiscal_documents': {
    change: insert('fiscal_documents', { id: 70, company_id: 1, contract_id: 100, client_id: 10, document_type: 'nfse', number: '2026000123', series: '1', issue_date: 20788, amount: '99.90', status: 'pending', authorization_protocol: null, authorized_at: null }),
    kind: 'accounting',
    entity: 'fiscal_documents',
  },
  'accounting/titles': {
    change: insert('payable_titles', { id: 81, company_id: 1, supplier_id: 20, title_number: 'P-81', issue_date: 20788, due_date: 20797, amount: '500.00', status: 'open', financial_nature_id: 5 }),
    kind: 'accounting',
    entity: 'titles',
  },
  'accounting/paid_titles': {
    change: insert('title_payments', { id: 90, payable_title_id: 80, payment_date: 20797, amount_paid: '500.00', payment_method: 'boleto' }),
    kind: 'accounting',
    entity: 'paid_titles',
  },
  'accounting/financial_movements': {
    change: insert('financial_movements', { id: 95, company_id: 1, bank_account: '001-0001234-5', movement_date: 20797, direction: 'debit', amount: '500.00', financial_nature_id: 5, description: 'Pagamento P-80' }),
    kind: 'accounting',
    entity: 'financial_movements',
  },
  'accounting/financial_natures': {
    change: update('financial_natures', { id: 5, company_id: null, code: '3.1.01', description: 'Energia elétrica', direction: 'expense' }, { description: 'Energia elétrica e gás' }),
    kind: 'accounting',
    entity: 'financial_natures',
  },
  'accounting/ledger_accounts': {
    change: insert('ledger_accounts', { id: 12, company_id: null, code: '1.1.02', description: 'Bancos conta movimento', parent_id: 11 }),
    kind: 'accounting',
    entity: 'ledger_accounts',
  },
  crm: {
    change: update('crm_leads', { id: 40, company_id: 1, name: 'João Pereira', email: 'joao@example.com', phone: null, cell_phone: '(11)98888-7777', stage: 'new', source: 'site', updated_at: '2026-12-01T10:00:00Z' }, { stage: 'qualified', updated_at: '2026-12-02T09:30:00Z' }),
    kind: 'crm',
  },
  receivables: {
    change: insert('receivable_titles', { id: 602, company_id: 1, contract_id: 100, client_id: 10, title_number: 'T-602', issue_date: 20786, due_date: 20796, amount: '99.90', status: 'open', billing_type_id: 3 }),
    kind: 'receivables',
  },
  fiscal_document_status: {
    change: update(
      'fiscal_documents',
      { id: 70, company_id: 1, contract_id: 100, client_id: 10, document_type: 'nfse', number: '2026000123', series: '1', issue_date: 20788, amount: '99.90', status: 'pending', authorization_protocol: null, authorized_at: null },
      { status: 'authorized', authorization_protocol: '135260000012345', authorized_at: '2026-12-01T14:05:00Z' },
    ),
    kind: 'fiscal_document_status',
  },
  tenant_solicitation: {
    change: update('solicitations', { id: 520, company_id: 1, contract_id: 100, client_id: 10, protocol: 'P-520', subject: 'Ativação de cliente', status: 'open', integrator_id: 12 }, { status: 'in_progress' }),
    kind: 'tenant_solicitation',
  },
  'post_due_collection/overdue': {
    event: () => collectionEvent(COLLECTION_KEY, 'overdue', overdueTitle(), new Records(exampleWorld()), { daysAfterDue: 1, timeZone: 'America/Sao_Paulo' }),
    kind: 'post_due_collection',
  },
  'post_due_collection/settled': {
    event: () =>
      collectionEvent(COLLECTION_KEY, 'paid', { ...overdueTitle(), status: 'paid' }, new Records(exampleWorld()), {
        daysAfterDue: 1,
        timeZone: 'America/Sao_Paulo',
        committedAt: Date.parse('2026-12-12T13:00:00Z'),
      }),
    kind: 'post_due_collection',
  },
};
