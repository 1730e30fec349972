// A small ERP world for the mapper's unit tests: one company, one client, one
// approved contract with one streaming service, catalogue items of two
// integrators, patrimonies, a solicitation and a title.
import type { Change, Row } from '../../src/capture/envelope.js';
import { mapChange } from '../../src/mapping/map-change.js';
import type { PrimaryKey, RowVersion, StateView } from '../../src/mapping/state.js';

export const COMMITTED_AT = Date.parse('2026-11-29T12:00:00.000Z');

/**
 * ERP rows as Debezium sends them, keyed by table, answering the mapper's
 * questions as the state store would at the change's position.
 */
export class World implements StateView {
  readonly tables = new Map<string, Map<PrimaryKey, Row>>();

  set(table: string, row: Row): this {
    let rows = this.tables.get(table);
    if (!rows) this.tables.set(table, (rows = new Map()));
    rows.set(row.id as PrimaryKey, row);
    return this;
  }

  delete(table: string, id: PrimaryKey): this {
    this.tables.get(table)?.delete(id);
    return this;
  }

  private readonly deletedRows = new Set<string>();

  get(table: string, key: PrimaryKey): RowVersion | undefined {
    const row = this.tables.get(table)?.get(key);
    return row && { row, deleted: this.deletedRows.has(`${table}|${key}`) };
  }

  /** This world with `change` applied, as the state store has it at the change's position: a deleted row keeps its last image. */
  at(change: Change): World {
    const next = new World();
    for (const [table, rows] of this.tables) for (const row of rows.values()) next.set(table, row);
    for (const d of this.deletedRows) next.deletedRows.add(d);
    const row = change.after ?? change.before;
    if (row && change.op !== 't' && change.op !== 'm') {
      next.set(change.table, row);
      if (change.op === 'd') next.deletedRows.add(`${change.table}|${String(row.id)}`);
    }
    return next;
  }

  children(table: string, column: string, value: PrimaryKey): Row[] {
    return [...(this.tables.get(table)?.values() ?? [])]
      .filter((r) => r[column] === value && !this.deletedRows.has(`${table}|${String(r.id)}`))
      .sort((a, b) => Number(a.id) - Number(b.id));
  }
}

export function world(): World {
  return new World()
    .set('companies', { id: 1, name: 'Provedor Exemplo', tx_id: '12.123.123/0001-14' })
    .set('people', { id: 10, name: 'Maria Silva', tx_id: '123.456.789-09', email: 'maria@example.com', phone: '(11)3333-4444', cell_phone: '(11)99999-0000' })
    .set('contracts', { id: 100, company_id: 1, client_id: 10, contract_number: 'C-100', stage: 'approved', status: 'normal', billing_period: 10, negotiation_id: '00090189', updated_at: '2026-11-29T12:00:00Z' })
    .set('service_products', { id: 200, title: 'HBO', uses_streaming: true, integrator_id: 7, integration_code: 'urn:tve:hbo' })
    .set('service_products', { id: 201, title: 'Pacote Básico', uses_streaming: true, integrator_id: 7, integration_code: 'urn:tve:dtvgobr' })
    .set('service_products', { id: 202, title: 'Skeelo', uses_streaming: true, integrator_id: 8, integration_code: 'SKL-1' })
    .set('service_products', { id: 203, title: 'Internet 500M', uses_streaming: false, integrator_id: null, integration_code: null })
    .set('patrimonies', { id: 400, serial_number: 'SN-400', description: 'Set-top box', integrator_id: 7, integration_code: 'STB' })
    .set('patrimonies', { id: 401, serial_number: 'SN-401', description: 'Roteador', integrator_id: null, integration_code: null })
    .set('contract_services', { id: 300, contract_id: 100, service_product_id: 200, created_at: '2026-11-01T10:00:00Z' })
    .set('solicitations', { id: 500, company_id: 1, contract_id: 100, client_id: 10, protocol: 'P-500', subject: 'Sem sinal', status: 'open' })
    .set('receivable_titles', { id: 600, company_id: 1, contract_id: 100, client_id: 10, title_number: 'T-600', issue_date: 20786, due_date: 20796, amount: '99.90', status: 'open' });
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

/** Maps a change the way the mapper does: against the state as of the change's own position. */
export const mapAt = (c: Change, state: World = world()) => mapChange(c, state.at(c));
