// Building a configuration view in unit tests the way the change stream does:
// through applyConfigChange with Debezium-shaped changes, which carry no
// secret column, then the row's secret columns as the live view reads them
// from the ERP (applySecrets).
import type { Change, Row } from '../../src/capture/envelope.js';
import { isSecretTable, SECRET_COLUMNS, withoutSecretColumns } from '../../src/capture/tables.js';
import { applyConfigChange, applySecrets, emptyView, type ConfigView } from '../../src/config/view.js';

let lsn = 5000;
export function configChange(table: string, op: Change['op'], row: Row, committedAt = Date.parse('2026-11-29T10:00:00Z'), before: Row | null = null): Change {
  lsn += 8;
  return { op, schema: 'public', table, before: op === 'c' || op === 'r' ? null : (before ?? row), after: op === 'd' ? null : row, key: { id: row.id ?? null }, committedAt, lsn, txId: 1, snapshot: op === 'r' };
}

export function apply(view: ConfigView, table: string, op: Change['op'], row: Row, committedAt?: number): boolean {
  const applied = applyConfigChange(view, table, configChange(table, op, withoutSecretColumns(table, row), committedAt));
  if (op !== 'd' && isSecretTable(table)) {
    applySecrets(view, table, Number(row.id), Object.fromEntries(SECRET_COLUMNS[table].map((c) => [c, row[c] === undefined || row[c] === null ? null : String(row[c])])));
  }
  return applied;
}

export const WATCH = { id: 7, alias: 'watchbrasil_v2', description: 'Watch', integration_type: 'reactive', version: 3, url: null, token: null, active: true };

export function webhookRow(patch: Row = {}): Row {
  return {
    id: 1, name: 'Watch', integrator_id: 7, http_method: 'POST', url: 'https://apiweb.watch.tv.br/api/voalle/contrato',
    max_attempts: 15, alert_emails: 'a@x.com;b@y.com', trigger_kind: 'contract_service_change', active: true, activated_at: null, ...patch,
  };
}

/** Prerequisites on, the Watch Brasil integrator, one active webhook with an Authorization header. */
export function configured(webhook: Row = {}, committedAt = Date.parse('2026-11-29T10:00:00Z')): ConfigView {
  const view = emptyView();
  apply(view, 'erp_parameters', 'r', { key: 'use_webhooks', value: 'true' });
  apply(view, 'erp_parameters', 'r', { key: 'use_streaming', value: 'true' });
  apply(view, 'integrators', 'c', WATCH);
  apply(view, 'webhooks', 'c', webhookRow(webhook), committedAt);
  apply(view, 'webhook_headers', 'c', { id: 1, webhook_id: Number(webhook.id ?? 1), name: 'Authorization', value: 'Bearer s3cr3t' });
  return view;
}
