// The declarative table → trigger mapping, in one place. Each captured
// business table says which trigger kinds, standard entities and accounting
// entities it feeds, how to find its aggregate (the contract), its company,
// which columns matter, and how its columns are typed on the wire. Pointing Reativa at a real ERP whose tables
// have other names means editing the keys of TABLE_MAP (the physical names),
// not the code: the `role` stays the reference name the mapper understands.
import type { AccountingEntity, StandardEntity, TriggerKind } from '../contracts/trigger-event.js';

export type TableRole =
  | 'contracts'
  | 'contract_services'
  | 'contract_patrimonies'
  | 'contract_connections'
  | 'solicitations'
  | 'reports'
  | 'receivable_titles'
  | 'title_receipts'
  | 'electronic_signatures'
  | 'people'
  | 'fiscal_documents'
  | 'payable_titles'
  | 'title_payments'
  | 'financial_movements'
  | 'financial_natures'
  | 'ledger_accounts'
  | 'crm_leads';

/** The parent tables a row can reach its contract and company through. */
export type ParentTable = 'solicitations' | 'receivable_titles' | 'payable_titles';

/** Where the contract of a row is: the row itself, one of its columns, a parent row's, or nowhere. */
export type ContractLocator =
  | { readonly self: true }
  | { readonly column: string }
  | { readonly via: ParentTable; readonly column: string }
  | { readonly none: true };

export interface TableMapping {
  readonly role: TableRole;
  readonly primaryKey: readonly string[];
  /**
   * Trigger kinds this table feeds besides `standard`, `accounting` and `sap`
   * (those follow from the entities below). Each kind's own rule (which rows,
   * which changes) is in map-change.ts.
   */
  readonly kinds: readonly TriggerKind[];
  /** The standard integration's entity, when the table is one. */
  readonly standardEntity: StandardEntity | null;
  /** The accounting integration's entity (kinds `accounting` and `sap`), when the table is one. */
  readonly accountingEntity: AccountingEntity | null;
  readonly contract: ContractLocator;
  /**
   * A register every branch may share (people, financial natures, ledger
   * accounts): a row without company_id is mapped with a null CompanyId
   * rather than refused.
   */
  readonly sharedRegister: boolean;
  /** An update that changes only these columns (or nothing) produces no event. */
  readonly ignoredColumns: readonly string[];
  /** Debezium sends DATE columns as days since 1970-01-01; bodies show YYYY-MM-DD. */
  readonly dateColumns: readonly string[];
}

const row = (
  m: Omit<TableMapping, 'primaryKey' | 'ignoredColumns' | 'dateColumns' | 'kinds' | 'standardEntity' | 'accountingEntity' | 'sharedRegister'> & Partial<TableMapping>,
): TableMapping => ({
  primaryKey: ['id'],
  kinds: [],
  standardEntity: null,
  accountingEntity: null,
  sharedRegister: false,
  ignoredColumns: [],
  dateColumns: [],
  ...m,
});

export const TABLE_MAP: Readonly<Record<string, TableMapping>> = {
  contracts: row({
    role: 'contracts',
    kinds: ['contract_change', 'contract_service_change'],
    standardEntity: 'contracts',
    contract: { self: true },
    // updated_at moves on every save: a save that changes nothing else is no change.
    ignoredColumns: ['updated_at'],
  }),
  contract_services: row({
    role: 'contract_services',
    kinds: ['contract_service_change'],
    standardEntity: null,
    contract: { column: 'contract_id' },
    ignoredColumns: ['created_at'],
  }),
  contract_patrimonies: row({
    role: 'contract_patrimonies',
    kinds: ['contract_patrimony_change'],
    standardEntity: null,
    contract: { column: 'contract_id' },
    ignoredColumns: ['linked_at'],
  }),
  contract_connections: row({
    role: 'contract_connections',
    standardEntity: 'contract_connections',
    contract: { column: 'contract_id' },
  }),
  solicitations: row({
    role: 'solicitations',
    // tenant_solicitation: the status moved to in_progress, closed or cancelled, for the row's integrator.
    kinds: ['tenant_solicitation'],
    standardEntity: 'solicitations',
    contract: { column: 'contract_id' },
  }),
  reports: row({
    role: 'reports',
    standardEntity: 'reports',
    contract: { via: 'solicitations', column: 'solicitation_id' },
  }),
  receivable_titles: row({
    role: 'receivable_titles',
    // receivables: an insert whose billing type integrates receivables automatically.
    // post_due_collection reads this table too, from the state store and the clock (collection.ts), not from its changes.
    kinds: ['receivables'],
    standardEntity: 'title_issuance',
    accountingEntity: 'titles',
    contract: { column: 'contract_id' },
    dateColumns: ['issue_date', 'due_date'],
  }),
  title_receipts: row({
    role: 'title_receipts',
    standardEntity: 'title_receipt',
    accountingEntity: 'paid_titles',
    contract: { via: 'receivable_titles', column: 'receivable_title_id' },
    dateColumns: ['receipt_date'],
  }),
  electronic_signatures: row({
    role: 'electronic_signatures',
    standardEntity: 'electronic_signature',
    contract: { column: 'contract_id' },
  }),
  people: row({
    role: 'people',
    accountingEntity: 'people',
    contract: { none: true },
    sharedRegister: true,
  }),
  fiscal_documents: row({
    role: 'fiscal_documents',
    // fiscal_document_status: an NFS-e whose status becomes authorized.
    kinds: ['fiscal_document_status'],
    accountingEntity: 'fiscal_documents',
    contract: { column: 'contract_id' },
    dateColumns: ['issue_date'],
  }),
  payable_titles: row({
    role: 'payable_titles',
    accountingEntity: 'titles',
    contract: { none: true },
    dateColumns: ['issue_date', 'due_date'],
  }),
  title_payments: row({
    role: 'title_payments',
    accountingEntity: 'paid_titles',
    contract: { via: 'payable_titles', column: 'payable_title_id' },
    dateColumns: ['payment_date'],
  }),
  financial_movements: row({
    role: 'financial_movements',
    accountingEntity: 'financial_movements',
    contract: { none: true },
    dateColumns: ['movement_date'],
  }),
  financial_natures: row({
    role: 'financial_natures',
    accountingEntity: 'financial_natures',
    contract: { none: true },
    sharedRegister: true,
  }),
  ledger_accounts: row({
    role: 'ledger_accounts',
    accountingEntity: 'ledger_accounts',
    contract: { none: true },
    sharedRegister: true,
  }),
  crm_leads: row({
    role: 'crm_leads',
    kinds: ['crm'],
    contract: { none: true },
    // updated_at moves on every save, like a contract's.
    ignoredColumns: ['updated_at'],
  }),
};

export const MAPPED_TABLES = Object.keys(TABLE_MAP);

/**
 * Columns the state store indexes, so the mapper can ask for a row's children
 * as of a position (StateView.children): a contract's services.
 */
export const CHILD_INDEXES: Readonly<Record<string, readonly string[]>> = {
  contract_services: ['contract_id'],
};

export function mappingFor(table: string): TableMapping | undefined {
  return Object.hasOwn(TABLE_MAP, table) ? TABLE_MAP[table] : undefined;
}
