// The declarative table → trigger mapping, in one place. Each captured
// business table says which trigger kinds and standard entities it feeds, how
// to find its aggregate (the contract), which columns matter, and how its
// columns are typed on the wire. Pointing Reativa at a real ERP whose tables
// have other names means editing the keys of TABLE_MAP (the physical names),
// not the code: the `role` stays the reference name the mapper understands.
import type { StandardEntity, TriggerKind } from '../contracts/trigger-event.js';

export type TableRole =
  | 'contracts'
  | 'contract_services'
  | 'contract_patrimonies'
  | 'contract_connections'
  | 'solicitations'
  | 'reports'
  | 'receivable_titles'
  | 'title_receipts'
  | 'electronic_signatures';

/** Where the contract of a row is: the row itself, one of its columns, or a parent row's. */
export type ContractLocator =
  | { readonly self: true }
  | { readonly column: string }
  | { readonly via: 'solicitations' | 'receivable_titles'; readonly column: string };

export interface TableMapping {
  readonly role: TableRole;
  readonly primaryKey: readonly string[];
  /** Non-standard trigger kinds this table feeds. */
  readonly kinds: readonly TriggerKind[];
  /** The standard integration's entity, when the table is one. */
  readonly standardEntity: StandardEntity | null;
  readonly contract: ContractLocator;
  /** An update that changes only these columns (or nothing) produces no event. */
  readonly ignoredColumns: readonly string[];
  /** Debezium sends DATE columns as days since 1970-01-01; bodies show YYYY-MM-DD. */
  readonly dateColumns: readonly string[];
}

const row = (m: Omit<TableMapping, 'primaryKey' | 'ignoredColumns' | 'dateColumns'> & Partial<TableMapping>): TableMapping => ({
  primaryKey: ['id'],
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
    kinds: [],
    standardEntity: 'contract_connections',
    contract: { column: 'contract_id' },
  }),
  solicitations: row({
    role: 'solicitations',
    kinds: [],
    standardEntity: 'solicitations',
    contract: { column: 'contract_id' },
  }),
  reports: row({
    role: 'reports',
    kinds: [],
    standardEntity: 'reports',
    contract: { via: 'solicitations', column: 'solicitation_id' },
  }),
  receivable_titles: row({
    role: 'receivable_titles',
    kinds: [],
    standardEntity: 'title_issuance',
    contract: { column: 'contract_id' },
    dateColumns: ['issue_date', 'due_date'],
  }),
  title_receipts: row({
    role: 'title_receipts',
    kinds: [],
    standardEntity: 'title_receipt',
    contract: { via: 'receivable_titles', column: 'receivable_title_id' },
    dateColumns: ['receipt_date'],
  }),
  electronic_signatures: row({
    role: 'electronic_signatures',
    kinds: [],
    standardEntity: 'electronic_signature',
    contract: { column: 'contract_id' },
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
