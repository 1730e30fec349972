// What the mapper knows of the ERP when it maps a change: the captured rows as
// they stood at that change's position in the log, and nothing later. The
// state store (src/state/change-store.ts) answers it from the log; unit tests
// answer it from fixtures. The mapper never reads the live ERP.
import type { Row } from '../capture/envelope.js';

export type { Row };

/** A row as it stood at a position; a deleted row keeps its last image, marked deleted. */
export interface RowVersion {
  readonly row: Row;
  readonly deleted: boolean;
}

export type PrimaryKey = string | number;

export interface StateView {
  /** The row of `table` with this primary key, as of the position being mapped (a deleted row's last image included). */
  get(table: string, key: PrimaryKey): RowVersion | undefined;
  /**
   * The rows of `table` whose `column` equals `value` as of the position being
   * mapped, deleted ones left out, in primary-key order. Only columns the table
   * map indexes (CHILD_INDEXES) can be asked.
   */
  children(table: string, column: string, value: PrimaryKey): Row[];
}

/** The primary key of a row from Debezium's record key: the one column's value, or the columns as canonical JSON. */
export function primaryKeyOf(key: Row): PrimaryKey {
  const columns = Object.keys(key).sort();
  if (columns.length === 1) {
    const only = key[columns[0]!];
    if (typeof only === 'number' || typeof only === 'string') return only;
  }
  return JSON.stringify(Object.fromEntries(columns.map((c) => [c, key[c]])));
}
