// The heart of the mapper, pure: one Debezium change and the state as of its
// position in the log in, zero or more trigger events out, or a reason why the
// change cannot be mapped (which the runner sends to the dead-letter topic).
// The same change and the same log give the same events, byte for byte.
import type { Change, Row } from '../capture/envelope.js';
import { UnmappableError } from '../errors/unmappable-error.js';
import {
  connectionBody,
  contractChangeBody,
  patrimonyChangeBody,
  receiptBody,
  reportBody,
  serviceBody,
  serviceChangeBody,
  servicesOf,
  signatureBody,
  solicitationBody,
  titleBody,
} from './bodies.js';
import {
  fiscalDocumentBody,
  ledgerAccountBody,
  movementBody,
  natureBody,
  paidTitlesBody,
  personBody,
  titlesBody,
} from './accounting-bodies.js';
import { leadBody, receivableBody, tenantSolicitationBody } from './partner-bodies.js';
import {
  contractOf,
  isoDate,
  personOf,
  Records,
  type Company,
  type ContractRecord,
  type PayableTitle,
  type Person,
  type ReceivableTitle,
  type Solicitation,
} from './records.js';
import type { StateView } from './state.js';
import { mappingFor, type ParentTable, type TableMapping } from './table-map.js';
import { eventId } from './trigger.js';
import type { Action, SourcePosition, StandardEntity, TriggerEntity, TriggerEvent, TriggerKind } from '../contracts/trigger-event.js';
import type { Body } from '../contracts/contract.js';

export type MapResult = { readonly ok: true; readonly events: TriggerEvent[] } | { readonly ok: false; readonly reason: string };

const OP_ACTION: Partial<Record<Change['op'], Action>> = { c: 'insert', u: 'update', d: 'delete' };

/** Contract columns whose change the SVA partners must hear about (activation depends on them). */
const ACTIVATION_COLUMNS = ['stage', 'status'];

/** Solicitation statuses a neutral-network tenant hears about (andamento, encerrado, cancelado). */
const TENANT_STATUSES = ['in_progress', 'closed', 'cancelled'];

type Parent = Solicitation | ReceivableTitle | PayableTitle;

const fail = (reason: string): never => {
  throw new UnmappableError(reason);
};

/** The table's DATE columns as YYYY-MM-DD. */
function normaliseRow(row: Row | null, mapping: TableMapping): Row | null {
  if (!row || mapping.dateColumns.length === 0) return row;
  const out: Row = { ...row };
  for (const column of mapping.dateColumns) out[column] = isoDate(out[column]);
  return out;
}

/** Columns whose value differs between before and after, less the ignored ones. */
export function changedColumns(before: Row | null, after: Row | null, ignored: readonly string[]): string[] {
  if (!before || !after) return Object.keys(after ?? before ?? {}).filter((c) => !ignored.includes(c));
  const columns = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...columns].filter((c) => !ignored.includes(c) && JSON.stringify(before[c]) !== JSON.stringify(after[c]));
}

function primaryKeyOf(row: Row, mapping: TableMapping): string {
  const key: Row = {};
  for (const column of mapping.primaryKey) {
    if (row[column] === undefined || row[column] === null) fail(`row has no primary key column '${column}'`);
    key[column] = row[column];
  }
  return JSON.stringify(key);
}

const idOf = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** `state` answers as of the change's own position: the change itself applied, nothing later. */
export function mapChange(change: Change, state: StateView): MapResult {
  try {
    return { ok: true, events: mapOrThrow(change, new Records(state)) };
  } catch (error) {
    if (error instanceof UnmappableError) return { ok: false, reason: error.message };
    throw error;
  }
}

function mapOrThrow(change: Change, records: Records): TriggerEvent[] {
  const mapping = mappingFor(change.table) ?? fail(`unknown table '${change.schema}.${change.table}': not in the table map`);
  // Snapshot reads are history, never sent; truncates and logical messages carry no row.
  const action = OP_ACTION[change.op];
  if (!action || change.snapshot) return [];

  const before = normaliseRow(change.before, mapping);
  const after = normaliseRow(change.after, mapping);
  const row = (action === 'delete' ? before : after) ?? fail(`${change.op} event without ${action === 'delete' ? 'before' : 'after'} image`);
  const changed = action === 'update' ? changedColumns(before, after, mapping.ignoredColumns) : [];
  if (action === 'update' && changed.length === 0) return [];

  const source: SourcePosition = {
    table: change.table,
    lsn: change.lsn,
    txId: change.txId,
    primaryKey: primaryKeyOf(row, mapping),
    op: change.op,
    committedAt: change.committedAt,
  };

  // The parent row the contract and company hang off, for tables that reach them through one.
  const locator = mapping.contract;
  const parent: Parent | undefined = 'via' in locator ? parentOf(locator.via, idOf(row[locator.column]) ?? fail(`row has no '${locator.column}'`), records) : undefined;

  const contractId = 'self' in locator ? idOf(row.id) : 'via' in locator ? (parent?.contractId ?? null) : 'column' in locator ? idOf(row[locator.column]) : null;
  const contract: ContractRecord | undefined =
    mapping.role === 'contracts'
      ? contractOf(row)
      : contractId === null
        ? undefined
        : (records.contract(contractId) ?? fail(`missing parent row: contracts ${contractId}`));

  const companyId = idOf(row.company_id) ?? parent?.companyId ?? contract?.companyId ?? (mapping.sharedRegister ? null : fail('no company: the row reaches no company_id'));
  const company: Company | undefined = companyId === null ? undefined : (records.company(companyId) ?? fail(`missing parent row: companies ${companyId}`));
  const clientId = idOf(row.client_id) ?? parent?.clientId ?? contract?.clientId ?? null;
  const client: Person | undefined = clientId === null ? undefined : records.person(clientId);

  const events: TriggerEvent[] = [];
  // Events of a row without a contract keep the order of its parent's (a payment after its title), else of the row.
  const aggregateKey =
    contractId !== null ? `contract:${contractId}` : parent && 'via' in locator ? `${locator.via}:${JSON.stringify({ id: parent.id })}` : `${change.table}:${source.primaryKey}`;
  const emit = (kind: TriggerKind, entity: TriggerEntity | null, eventAction: Action, body: Body, integratorId: number | null, discriminator: string) =>
    events.push({
      eventId: eventId(source, kind, discriminator),
      kind,
      entity,
      action: eventAction,
      aggregateKey,
      contractId,
      companyId,
      integratorId,
      source,
      body,
    });
  // Every body below but a shared register's has a company.
  const companyOf = (): Company => company ?? fail('no company: the row reaches no company_id');

  if (mapping.standardEntity) {
    emit('standard', mapping.standardEntity, action, standardBody(mapping.standardEntity, companyOf(), action, row, contract, client, parent, records), null, 'standard');
  }
  if (mapping.kinds.includes('contract_change') && contract) {
    emit('contract_change', null, action, contractChangeBody(companyOf(), action, contract, client, servicesOf(contract.id, records)), null, 'contract');
  }
  if (mapping.kinds.includes('contract_service_change') && contract) {
    let contractCodes: string[] | undefined;
    for (const e of serviceChanges(mapping, action, before, after, changed, contract, records)) {
      const services = servicesOf(contract.id, records, e.integratorId);
      emit('contract_service_change', null, e.action, serviceChangeBody(companyOf(), e.action, contract, client, services, e), e.integratorId, `integrator:${e.integratorId}`);
      // Partner rules that look at the whole contract (DIRECTV GO's basic package may be another integrator's): for routing, not the body.
      contractCodes ??= servicesOf(contract.id, records).map((s) => s.IntegrationCode).filter((c): c is string => typeof c === 'string');
      events[events.length - 1] = { ...events[events.length - 1]!, contractServiceCodes: contractCodes };
    }
  }
  if (mapping.kinds.includes('contract_patrimony_change') && contract) {
    for (const link of patrimonyLinks(action, before, after, changed)) {
      const patrimonyId = idOf(link.row.patrimony_id) ?? fail("row has no 'patrimony_id'");
      const patrimony = records.patrimony(patrimonyId) ?? fail(`missing parent row: patrimonies ${patrimonyId}`);
      if (patrimony.integratorId === null) continue;
      emit('contract_patrimony_change', null, link.action, patrimonyChangeBody(companyOf(), link.action, contract, client, link.row, patrimony), patrimony.integratorId, `${link.action}:${patrimonyId}`);
    }
  }
  if (mapping.accountingEntity) {
    // Accounting (Granner) and SAP watch the same entities with the same body; each kind is its own event.
    const body = accountingBody(mapping, company, companyOf, action, row, client, parent, records);
    emit('accounting', mapping.accountingEntity, action, body, null, 'accounting');
    emit('sap', mapping.accountingEntity, action, body, null, 'sap');
  }
  if (mapping.kinds.includes('crm')) emit('crm', null, action, leadBody(companyOf(), action, row), null, 'crm');
  if (mapping.kinds.includes('receivables') && action === 'insert') {
    // A title issued with a billing type that integrates receivables automatically goes to that type's integrator.
    const billingTypeId = idOf(row.billing_type_id);
    const billingType = billingTypeId === null ? undefined : (records.billingType(billingTypeId) ?? fail(`missing parent row: billing_types ${billingTypeId}`));
    if (billingType?.autoReceivablesIntegration && billingType.integratorId !== null) {
      emit('receivables', null, action, receivableBody(companyOf(), action, row, client, billingType), billingType.integratorId, `integrator:${billingType.integratorId}`);
    }
  }
  if (mapping.kinds.includes('fiscal_document_status') && action !== 'delete' && row.document_type === 'nfse' && row.status === 'authorized' && before?.status !== 'authorized') {
    emit('fiscal_document_status', null, action, fiscalDocumentBody(companyOf(), action, row, client), null, 'authorized');
  }
  const tenant = idOf(row.integrator_id);
  if (mapping.kinds.includes('tenant_solicitation') && action !== 'delete' && tenant !== null && TENANT_STATUSES.includes(String(row.status)) && before?.status !== row.status) {
    emit('tenant_solicitation', null, action, tenantSolicitationBody(companyOf(), action, row, before, client), tenant, `integrator:${tenant}`);
  }
  return events;
}

function parentOf(table: ParentTable, id: number, records: Records): Parent {
  const found = table === 'solicitations' ? records.solicitation(id) : table === 'receivable_titles' ? records.receivableTitle(id) : records.payableTitle(id);
  return found ?? fail(`missing parent row: ${table} ${id}`);
}

/** The accounting integration's body of a row (kinds accounting and sap). */
function accountingBody(
  mapping: TableMapping,
  company: Company | undefined,
  companyOf: () => Company,
  action: Action,
  row: Row,
  client: Person | undefined,
  parent: Parent | undefined,
  records: Records,
): Body {
  const nature = () => {
    const id = idOf(row.financial_nature_id);
    return id === null ? undefined : (records.financialNature(id) ?? fail(`missing parent row: financial_natures ${id}`));
  };
  switch (mapping.role) {
    case 'people':
      return personBody(company, action, personOf(row));
    case 'fiscal_documents':
      return fiscalDocumentBody(companyOf(), action, row, client);
    case 'receivable_titles':
      return titlesBody(companyOf(), action, 'receivable', row, client, undefined);
    case 'payable_titles': {
      const supplierId = idOf(row.supplier_id);
      const supplier = supplierId === null ? undefined : (records.person(supplierId) ?? fail(`missing parent row: people ${supplierId}`));
      return titlesBody(companyOf(), action, 'payable', row, supplier, nature());
    }
    case 'title_receipts':
    case 'title_payments': {
      const title = parent as ReceivableTitle | PayableTitle;
      return paidTitlesBody(companyOf(), action, mapping.role === 'title_receipts' ? 'receivable' : 'payable', row, { id: title.id, titleNumber: title.titleNumber, contractId: title.contractId });
    }
    case 'financial_movements':
      return movementBody(companyOf(), action, row, nature());
    case 'financial_natures':
      return natureBody(company, action, row);
    case 'ledger_accounts': {
      const parentId = idOf(row.parent_id);
      const account = parentId === null ? undefined : (records.ledgerAccount(parentId) ?? fail(`missing parent row: ledger_accounts ${parentId}`));
      return ledgerAccountBody(company, action, row, account);
    }
    default:
      return fail(`table '${mapping.role}' has no accounting body`);
  }
}

function standardBody(
  entity: StandardEntity,
  company: Company,
  action: Action,
  row: Row,
  contract: ContractRecord | undefined,
  client: Person | undefined,
  parent: Parent | undefined,
  records: Records,
): Body {
  switch (entity) {
    case 'contracts':
      return contractChangeBody(company, action, contract!, client, servicesOf(contract!.id, records));
    case 'contract_connections':
      return connectionBody(company, action, row, contract);
    case 'solicitations':
      return solicitationBody(company, action, row, client);
    case 'reports': {
      const s = parent as Solicitation;
      return reportBody(company, action, row, { id: s.id, protocol: s.protocol, contractId: s.contractId });
    }
    case 'title_issuance':
      return titleBody(company, action, row, client);
    case 'title_receipt': {
      const t = parent as ReceivableTitle;
      return receiptBody(company, action, row, { id: t.id, titleNumber: t.titleNumber, contractId: t.contractId });
    }
    case 'electronic_signature':
      return signatureBody(company, action, row, contract);
  }
}

interface ServiceChange {
  readonly integratorId: number;
  readonly action: Action;
  readonly added: Body[];
  readonly removed: Body[];
}

/**
 * Service changes, one per integrator involved. A swap by update of
 * service_product_id sends the removed and the added service; when the two
 * products belong to different integrators, each integrator hears its side.
 * A contract whose stage or status changes tells every integrator with a
 * service on it, since activation at the partner depends on both.
 */
function serviceChanges(
  mapping: TableMapping,
  action: Action,
  before: Row | null,
  after: Row | null,
  changed: string[],
  contract: ContractRecord,
  records: Records,
): ServiceChange[] {
  if (mapping.role === 'contracts') {
    if (action !== 'update' || !changed.some((c) => ACTIVATION_COLUMNS.includes(c))) return [];
    const integrators = new Set(
      records
        .contractServices(contract.id)
        .map((s) => records.serviceProduct(s.serviceProductId)?.integratorId)
        .filter((i): i is number => typeof i === 'number'),
    );
    return [...integrators].sort((a, b) => a - b).map((integratorId) => ({ integratorId, action: 'update', added: [], removed: [] }));
  }
  const side = (row: Row | null) => {
    if (!row) return undefined;
    const productId = idOf(row.service_product_id) ?? fail("row has no 'service_product_id'");
    const product = records.serviceProduct(productId) ?? fail(`missing parent row: service_products ${productId}`);
    return { product, body: serviceBody({ id: Number(row.id), serviceProductId: productId }, product) };
  };
  const old = action === 'insert' ? undefined : side(before);
  const now = action === 'delete' ? undefined : side(after);
  const byIntegrator = new Map<number, ServiceChange>();
  const entry = (integratorId: number | null, entryAction: Action) => {
    if (integratorId === null) return undefined;
    const existing = byIntegrator.get(integratorId) ?? { integratorId, action: entryAction, added: [], removed: [] };
    byIntegrator.set(integratorId, existing);
    return existing;
  };
  const swapped = action === 'update' && changed.includes('service_product_id');
  if (old && (action === 'delete' || swapped)) {
    const sameIntegrator = now?.product.integratorId === old.product.integratorId;
    entry(old.product.integratorId, swapped && sameIntegrator ? 'update' : 'delete')?.removed.push(old.body);
  }
  if (now && (action === 'insert' || swapped)) {
    const sameIntegrator = old?.product.integratorId === now.product.integratorId;
    entry(now.product.integratorId, swapped && sameIntegrator ? 'update' : 'insert')?.added.push(now.body);
  }
  if (action === 'update' && !swapped && now) entry(now.product.integratorId, 'update');
  return [...byIntegrator.values()].sort((a, b) => a.integratorId - b.integratorId);
}

/** Patrimony links touched: linked (insert), unlinked (delete), or relinked to another patrimony (both). */
function patrimonyLinks(action: Action, before: Row | null, after: Row | null, changed: string[]): { action: Action; row: Row }[] {
  if (action === 'insert') return [{ action, row: after! }];
  if (action === 'delete') return [{ action, row: before! }];
  if (changed.includes('patrimony_id')) return [{ action: 'delete', row: before! }, { action: 'insert', row: after! }];
  return [{ action: 'update', row: after! }];
}
