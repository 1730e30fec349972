// The rows bodies are made of, typed, read from the state as of a change's
// position. Debezium sends rows as JSON: bigint as numbers, numeric as text
// (decimal.handling.mode=string), DATE as days since 1970-01-01.
import type { Row } from '../capture/envelope.js';
import type { PrimaryKey, RowVersion, StateView } from './state.js';

export interface Company {
  readonly id: number;
  readonly name: string;
  readonly txId: string;
}

export interface Person {
  readonly id: number;
  /** The branch the person belongs to; null for the register shared by every branch. */
  readonly companyId: number | null;
  readonly name: string;
  readonly txId: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly cellPhone: string | null;
}

export interface ContractRecord {
  readonly id: number;
  readonly companyId: number;
  readonly clientId: number;
  readonly contractNumber: string;
  readonly stage: string;
  readonly status: string;
  readonly billingPeriod: number | null;
  readonly negotiationId: string | null;
}

export interface ServiceProduct {
  readonly id: number;
  readonly title: string;
  readonly usesStreaming: boolean;
  readonly integratorId: number | null;
  readonly integrationCode: string | null;
}

export interface ContractService {
  readonly id: number;
  readonly contractId: number;
  readonly serviceProductId: number;
}

export interface Patrimony {
  readonly id: number;
  readonly serialNumber: string;
  readonly description: string | null;
  readonly integratorId: number | null;
  readonly integrationCode: string | null;
}

export interface Solicitation {
  readonly id: number;
  readonly companyId: number;
  readonly contractId: number | null;
  readonly clientId: number;
  readonly protocol: string;
}

export interface ReceivableTitle {
  readonly id: number;
  readonly companyId: number;
  readonly contractId: number | null;
  readonly clientId: number;
  readonly titleNumber: string;
}

/** A title payable: it belongs to no contract and has a supplier, not a client. */
export interface PayableTitle {
  readonly id: number;
  readonly companyId: number;
  readonly contractId: null;
  readonly clientId: null;
  readonly supplierId: number;
  readonly titleNumber: string;
}

/** Tipo de cobrança: with automatic receivables integration, titles of this type go to its integrator. */
export interface BillingType {
  readonly id: number;
  readonly title: string;
  readonly autoReceivablesIntegration: boolean;
  readonly integratorId: number | null;
}

export interface FinancialNature {
  readonly id: number;
  readonly code: string;
  readonly description: string;
}

export interface LedgerAccount {
  readonly id: number;
  readonly code: string;
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));

const DAY_MS = 86_400_000;

/** Debezium DATE (days since epoch) → YYYY-MM-DD; anything else is left as it is. */
export function isoDate(value: unknown): unknown {
  return typeof value === 'number' ? new Date(value * DAY_MS).toISOString().slice(0, 10) : value;
}

export const companyOf = (r: Row): Company => ({ id: Number(r.id), name: String(r.name ?? ''), txId: String(r.tx_id ?? '') });

export const personOf = (r: Row): Person => ({
  id: Number(r.id),
  companyId: num(r.company_id),
  name: String(r.name ?? ''),
  txId: str(r.tx_id),
  email: str(r.email),
  phone: str(r.phone),
  cellPhone: str(r.cell_phone),
});

export const contractOf = (r: Row): ContractRecord => ({
  id: Number(r.id),
  companyId: Number(r.company_id),
  clientId: Number(r.client_id),
  contractNumber: String(r.contract_number ?? ''),
  stage: String(r.stage ?? ''),
  status: String(r.status ?? ''),
  billingPeriod: num(r.billing_period),
  negotiationId: str(r.negotiation_id),
});

export const serviceProductOf = (r: Row): ServiceProduct => ({
  id: Number(r.id),
  title: String(r.title ?? ''),
  usesStreaming: r.uses_streaming === true,
  integratorId: num(r.integrator_id),
  integrationCode: str(r.integration_code),
});

export const contractServiceOf = (r: Row): ContractService => ({ id: Number(r.id), contractId: Number(r.contract_id), serviceProductId: Number(r.service_product_id) });

export const patrimonyOf = (r: Row): Patrimony => ({
  id: Number(r.id),
  serialNumber: String(r.serial_number ?? ''),
  description: str(r.description),
  integratorId: num(r.integrator_id),
  integrationCode: str(r.integration_code),
});

export const solicitationOf = (r: Row): Solicitation => ({
  id: Number(r.id),
  companyId: Number(r.company_id),
  contractId: num(r.contract_id),
  clientId: Number(r.client_id),
  protocol: String(r.protocol ?? ''),
});

export const receivableTitleOf = (r: Row): ReceivableTitle => ({
  id: Number(r.id),
  companyId: Number(r.company_id),
  contractId: num(r.contract_id),
  clientId: Number(r.client_id),
  titleNumber: String(r.title_number ?? ''),
});

export const payableTitleOf = (r: Row): PayableTitle => ({
  id: Number(r.id),
  companyId: Number(r.company_id),
  contractId: null,
  clientId: null,
  supplierId: Number(r.supplier_id),
  titleNumber: String(r.title_number ?? ''),
});

export const billingTypeOf = (r: Row): BillingType => ({
  id: Number(r.id),
  title: String(r.title ?? ''),
  autoReceivablesIntegration: r.auto_receivables_integration === true,
  integratorId: num(r.integrator_id),
});

export const financialNatureOf = (r: Row): FinancialNature => ({ id: Number(r.id), code: String(r.code ?? ''), description: String(r.description ?? '') });

export const ledgerAccountOf = (r: Row): LedgerAccount => ({ id: Number(r.id), code: String(r.code ?? '') });

/** Typed reads of the state as of one position: what a body needs, by id. */
export class Records {
  constructor(private readonly state: StateView) {}

  private row<T>(table: string, id: PrimaryKey | null, of: (r: Row) => T): T | undefined {
    if (id === null) return undefined;
    const version: RowVersion | undefined = this.state.get(table, id);
    return version && of(version.row);
  }

  company = (id: number | null) => this.row('companies', id, companyOf);
  person = (id: number | null) => this.row('people', id, personOf);
  contract = (id: number | null) => this.row('contracts', id, contractOf);
  serviceProduct = (id: number | null) => this.row('service_products', id, serviceProductOf);
  patrimony = (id: number | null) => this.row('patrimonies', id, patrimonyOf);
  solicitation = (id: number | null) => this.row('solicitations', id, solicitationOf);
  receivableTitle = (id: number | null) => this.row('receivable_titles', id, receivableTitleOf);
  payableTitle = (id: number | null) => this.row('payable_titles', id, payableTitleOf);
  billingType = (id: number | null) => this.row('billing_types', id, billingTypeOf);
  financialNature = (id: number | null) => this.row('financial_natures', id, financialNatureOf);
  ledgerAccount = (id: number | null) => this.row('ledger_accounts', id, ledgerAccountOf);

  /** The services a contract has at this position, in id order. */
  contractServices(contractId: number): ContractService[] {
    return this.state.children('contract_services', 'contract_id', contractId).map(contractServiceOf);
  }
}
