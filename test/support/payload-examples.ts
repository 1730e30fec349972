// The changes behind each JSON example of docs/payloads.md. The doc test maps
// each one and requires the example to be exactly what the mapper produces.
import type { Change } from '../../src/capture/envelope.js';
import { CONTRACT_ROW, insert, update, world, type World } from './mapping-fixtures.js';

/** The fixture world with the source document's placeholder CNPJ. */
export function exampleWorld(): World {
  return world().set('companies', { id: 1, name: 'Provedor Exemplo', tx_id: '99.999.999/9999-99' });
}

export interface PayloadExample {
  readonly change: Change;
  /** Which of the change's events the example shows. */
  readonly kind: string;
  readonly entity?: string;
}

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
};
