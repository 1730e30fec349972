// The live view of the ERP's webhook configuration, built from the change
// topics of the configuration tables (compacted, read from the beginning by
// every process): applying the same changes in the same order gives every
// Reativa process the same view. Pure: no I/O here.
//
// The secret columns (capture/tables.ts SECRET_COLUMNS: tokens, header and
// parameter values, URLs) are not in the change stream. The view keeps them
// apart, in `secrets`, as the ERP answered when asked for them by id after
// their row changed (src/config/live.ts does the asking): a row's secrets are
// unknown until then, and forgotten when the row is deleted.
import type { Change, Row } from '../capture/envelope.js';
import { isSecretTable, type ConfigurationTable, type SecretTable } from '../capture/tables.js';

/** An integrator as the change stream has it: its token and URL are secrets (see `secrets`). */
export interface IntegratorRow {
  readonly id: number;
  readonly alias: string;
  readonly description: string | null;
  readonly integrationType: string;
  readonly version: number;
  readonly active: boolean;
}

/** A header or parameter row as the change stream has it: its value is a secret (see `secrets`). */
export interface NameValue {
  readonly id: number;
  readonly ownerId: number;
  readonly name: string;
}

/** A webhook as the change stream has it: its URL is a secret (see `secrets`). */
export interface WebhookRow {
  readonly id: number;
  readonly name: string;
  readonly integratorId: number | null;
  readonly httpMethod: string;
  readonly maxAttempts: number;
  readonly alertEmails: string | null;
  readonly triggerKind: string;
  readonly active: boolean;
  /**
   * Since when Reativa counts the webhook as active: the commit time of the
   * change that made it active (for a snapshot read, activated_at or the
   * snapshot time). Changes committed before it are not sent.
   */
  readonly activeSince: number | null;
  /** The WAL position of that change, to order changes of the same millisecond; null when unknown. */
  readonly activeSinceLsn: number | null;
}

/** Where a change stands in the ERP's commit order. */
export interface CommitPosition {
  /** Commit time, in ms (Debezium's source.ts_ms). */
  readonly at: number;
  /** WAL position (source.lsn); null when unknown. */
  readonly lsn: number | null;
}

/**
 * Whether `a` committed before `b`. Commit times have millisecond precision, so
 * two transactions can share one; then the WAL position decides (a transaction
 * that starts after another committed writes at a higher LSN). Without both
 * LSNs, the same millisecond counts as not before.
 */
export function committedBefore(a: CommitPosition, b: CommitPosition): boolean {
  if (a.at !== b.at) return a.at < b.at;
  return a.lsn !== null && b.lsn !== null && a.lsn < b.lsn;
}

export interface TriggerRow {
  readonly id: number;
  readonly webhookId: number;
  readonly entity: string;
  readonly action: string;
}

export interface CatalogueItem {
  readonly id: number;
  readonly integratorId: number | null;
  readonly integrationCode: string | null;
  /** "Utiliza Streaming" (service_products.uses_streaming); undefined for patrimonies. */
  readonly usesStreaming?: boolean;
}

/** An integrator alias bound to a partner preset (reativa_cdc.integrator_presets: `reativa presets bind`). */
export interface PresetBinding {
  readonly id: number;
  readonly integratorAlias: string;
  readonly preset: string;
}

/** A row's secret columns as the ERP holds them (SECRET_COLUMNS of its table). */
export type SecretValues = Readonly<Record<string, string | null>>;

export interface ConfigView {
  readonly parameters: Map<string, string>;
  readonly integrators: Map<number, IntegratorRow>;
  readonly integratorParameters: Map<number, NameValue>;
  readonly webhooks: Map<number, WebhookRow>;
  readonly headers: Map<number, NameValue>;
  readonly webhookParameters: Map<number, NameValue>;
  readonly triggers: Map<number, TriggerRow>;
  readonly serviceProducts: Map<number, CatalogueItem>;
  readonly patrimonies: Map<number, CatalogueItem>;
  /** Preset bindings, by row id. */
  readonly presetBindings: Map<number, PresetBinding>;
  /**
   * Secret columns by `secretKey(table, id)`, as last read from the ERP: absent
   * while never read, null when the ERP no longer had the row (its delete is
   * on its way through the change stream).
   */
  readonly secrets: Map<string, SecretValues | null>;
  /**
   * When the prerequisites turned on or off, by commit time, oldest first, so
   * routing judges a change by the configuration at its commit, not by the
   * configuration when it happens to be routed. Snapshot reads count from -Infinity.
   */
  readonly prerequisiteChanges: (CommitPosition & { met: boolean })[];
  /** Bumped on every applied change, so derived data can be cached per version. */
  version: number;
}

export const emptyView = (): ConfigView => ({
  parameters: new Map(),
  integrators: new Map(),
  integratorParameters: new Map(),
  webhooks: new Map(),
  headers: new Map(),
  webhookParameters: new Map(),
  triggers: new Map(),
  serviceProducts: new Map(),
  patrimonies: new Map(),
  presetBindings: new Map(),
  secrets: new Map(),
  prerequisiteChanges: [],
  version: 0,
});

const n = (v: unknown): number => Number(v);
const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const sOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Debezium sends timestamptz as ISO text; anything unparsable counts as absent. */
const timeOf = (v: unknown): number | null => {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
};

function upsert<K, V>(map: Map<K, V>, key: K, value: V | null): void {
  if (value === null) map.delete(key);
  else map.set(key, value);
}

const nameValue = (row: Row, owner: string): NameValue => ({ id: n(row.id), ownerId: n(row[owner]), name: String(row.name ?? '') });

export const secretKey = (table: SecretTable, id: number): string => `${table}:${id}`;

/** The row of a secret table a change is about, whose secrets must then be read (again); undefined for other tables. */
export function secretRowOf(table: string, change: Change): { readonly table: SecretTable; readonly id: number } | undefined {
  const row = change.after ?? change.before;
  if (!isSecretTable(table) || !row || row.id === undefined || row.id === null) return undefined;
  return { table, id: n(row.id) };
}

/** The secret columns of one row: undefined while never read, null when the ERP no longer had it. */
export const secretOf = (view: ConfigView, table: SecretTable, id: number): SecretValues | null | undefined => view.secrets.get(secretKey(table, id));

/** The view's rows of a secret table. */
function rowsOf(view: ConfigView, table: SecretTable): Map<number, unknown> {
  switch (table) {
    case 'integrators':
      return view.integrators;
    case 'integrator_parameters':
      return view.integratorParameters;
    case 'webhooks':
      return view.webhooks;
    case 'webhook_headers':
      return view.headers;
    case 'webhook_parameters':
      return view.webhookParameters;
  }
}

/**
 * Applies a row's secret columns as read from the ERP (null: the ERP no longer
 * has the row). Ignored for a row the view does not hold: its delete was
 * applied while the read was under way, and a deleted row stays deleted.
 */
export function applySecrets(view: ConfigView, table: SecretTable, id: number, values: SecretValues | null): boolean {
  if (!rowsOf(view, table).has(id)) return false;
  view.secrets.set(secretKey(table, id), values);
  view.version += 1;
  return true;
}

/** Applies one change of a configuration table; returns false for a table it does not know. */
export function applyConfigChange(view: ConfigView, table: ConfigurationTable | string, change: Change): boolean {
  const row = change.op === 'd' ? null : change.after;
  const key = change.after ?? change.before;
  if (!key) return false;
  // A deleted row's secrets are forgotten with it.
  if (!row && isSecretTable(table)) view.secrets.delete(secretKey(table, n(key.id)));
  switch (table) {
    case 'erp_parameters': {
      upsert(view.parameters, String(key.key), row ? String(row.value ?? '') : null);
      const met = prerequisitesMet(view);
      const last = view.prerequisiteChanges[view.prerequisiteChanges.length - 1];
      if (!last || last.met !== met) view.prerequisiteChanges.push(change.snapshot ? { at: -Infinity, lsn: null, met } : { at: change.committedAt, lsn: change.lsn, met });
      break;
    }
    case 'integrators':
      upsert(view.integrators, n(key.id), row && {
        id: n(row.id),
        alias: String(row.alias ?? ''),
        description: sOrNull(row.description),
        integrationType: String(row.integration_type ?? 'reactive'),
        version: n(row.version),
        active: row.active === true,
      });
      break;
    case 'integrator_parameters':
      upsert(view.integratorParameters, n(key.id), row && nameValue(row, 'integrator_id'));
      break;
    case 'webhooks': {
      const previous = view.webhooks.get(n(key.id));
      const active = row?.active === true;
      let activeSince: number | null = null;
      let activeSinceLsn: number | null = null;
      if (active) {
        if (previous?.active) [activeSince, activeSinceLsn] = [previous.activeSince, previous.activeSinceLsn];
        else if (change.snapshot) activeSince = timeOf(row?.activated_at) ?? change.committedAt;
        else [activeSince, activeSinceLsn] = [change.committedAt, change.lsn];
      }
      upsert(view.webhooks, n(key.id), row && {
        id: n(row.id),
        name: String(row.name ?? ''),
        integratorId: nOrNull(row.integrator_id),
        httpMethod: String(row.http_method ?? ''),
        maxAttempts: n(row.max_attempts),
        alertEmails: sOrNull(row.alert_emails),
        triggerKind: String(row.trigger_kind ?? ''),
        active,
        activeSince,
        activeSinceLsn,
      });
      break;
    }
    case 'webhook_headers':
      upsert(view.headers, n(key.id), row && nameValue(row, 'webhook_id'));
      break;
    case 'webhook_parameters':
      upsert(view.webhookParameters, n(key.id), row && nameValue(row, 'webhook_id'));
      break;
    case 'webhook_triggers':
      upsert(view.triggers, n(key.id), row && { id: n(row.id), webhookId: n(row.webhook_id), entity: String(row.entity ?? ''), action: String(row.action ?? '') });
      break;
    case 'service_products':
      upsert(view.serviceProducts, n(key.id), row && {
        id: n(row.id),
        integratorId: nOrNull(row.integrator_id),
        integrationCode: sOrNull(row.integration_code),
        usesStreaming: row.uses_streaming === true,
      });
      break;
    case 'integrator_presets':
      upsert(view.presetBindings, n(key.id), row && { id: n(row.id), integratorAlias: String(row.integrator_alias ?? ''), preset: String(row.preset ?? '') });
      break;
    case 'patrimonies':
      upsert(view.patrimonies, n(key.id), row && { id: n(row.id), integratorId: nOrNull(row.integrator_id), integrationCode: sOrNull(row.integration_code) });
      break;
    default:
      return false;
  }
  view.version += 1;
  return true;
}

/** Whether the prerequisites were on when a change committed at `position`. */
export function prerequisitesMetAt(view: ConfigView, position: CommitPosition): boolean {
  let met = false;
  for (const c of view.prerequisiteChanges) {
    if (committedBefore(position, c)) break;
    met = c.met;
  }
  return met;
}

/** The ERP's prerequisites: nothing is sent unless both parameters are 'true'. */
export function prerequisitesMet(view: ConfigView): boolean {
  return view.parameters.get('use_webhooks') === 'true' && view.parameters.get('use_streaming') === 'true';
}
