// The ERP tables Reativa captures (docs/erp-schema.md), by exact name. Debezium
// writes every one of them, in commit order, to one change log topic
// (<prefix>.changes, one partition). `configuration` tables define state
// (webhooks, integrators, parameters, the catalogue): the mapper also keeps
// them on a compacted topic of their own, reativa.config, for the live view.

export const CONFIGURATION_TABLES = [
  'erp_parameters',
  'integrators',
  'integrator_parameters',
  'service_products',
  'patrimonies',
  'webhooks',
  'webhook_headers',
  'webhook_parameters',
  'webhook_triggers',
  'integrator_presets',
] as const;

export const BUSINESS_TABLES = [
  'companies',
  'people',
  'contracts',
  'contract_services',
  'contract_patrimonies',
  'contract_connections',
  'solicitations',
  'reports',
  'receivable_titles',
  'title_receipts',
  'electronic_signatures',
  // The other trigger kinds' tables (schemas/erp/003_trigger_kinds.sql).
  'billing_types',
  'fiscal_documents',
  'payable_titles',
  'title_payments',
  'financial_movements',
  'financial_natures',
  'ledger_accounts',
  'crm_leads',
] as const;

export type ConfigurationTable = (typeof CONFIGURATION_TABLES)[number];
export type BusinessTable = (typeof BUSINESS_TABLES)[number];
export type CapturedTable = ConfigurationTable | BusinessTable;

export const CAPTURED_TABLES: readonly CapturedTable[] = [...CONFIGURATION_TABLES, ...BUSINESS_TABLES];

export const isConfigurationTable = (table: string): table is ConfigurationTable =>
  (CONFIGURATION_TABLES as readonly string[]).includes(table);

/** Tables of Reativa's own in the ERP database (schema reativa_cdc) whose changes also travel the log: they carry no ERP data. */
export const CDC_TABLES = ['heartbeat', 'debezium_signal'] as const;
export const CDC_SCHEMA = 'reativa_cdc';

/**
 * Captured tables outside the ERP's `public` schema: Reativa's own
 * configuration, kept in the ERP database (reativa_cdc) so that it travels the
 * change log in order with the ERP's configuration, while `public` holds
 * nothing but the ERP's tables. integrator_presets binds an integrator alias
 * to a partner preset (`reativa presets bind`).
 */
export const TABLE_SCHEMAS: Readonly<Record<string, string>> = { integrator_presets: CDC_SCHEMA };

/** The schema a captured table lives in. */
export const schemaOf = (table: string): string => (Object.hasOwn(TABLE_SCHEMAS, table) ? TABLE_SCHEMAS[table]! : 'public');

const CAPTURED_SET = new Set<string>([...CONFIGURATION_TABLES, ...BUSINESS_TABLES]);

/** Whether a change of `schema`.`table` is of a captured table (not Debezium's helpers, not an unknown table). */
export const isCapturedIn = (schema: string, table: string): boolean => CAPTURED_SET.has(table) && schemaOf(table) === schema;

/** The one ordered change log Debezium writes every captured table to. */
export const changeLogTopic = (prefix: string) => `${prefix}.changes`;

/** Debezium's own topic for a table, before routing: <topic.prefix>.<schema>.<table> (the key's table identifier). */
export const changeTopic = (prefix: string, table: string, schema = 'public') => `${prefix}.${schema}.${table}`;

/**
 * Configuration columns whose values are secrets (an integrator's token,
 * header and parameter values: tokens, API keys, OAuth client secrets, the
 * signing secret) or may carry one (a URL, whose query string or user info
 * often holds a token). They never travel in Kafka: the connector leaves them
 * out of every change event, before and after images alike
 * (`column.exclude.list`, checked against this list by a unit test), and
 * reativa.config strips them again; Reativa reads them from the ERP by id when
 * their row changes (src/config/live.ts), with a role that may read nothing
 * else of the ERP. Everything else of these rows still comes from the log, so
 * a change to one of these columns still arrives as a change of its row.
 */
export const SECRET_COLUMNS = {
  integrators: ['token', 'url'],
  integrator_parameters: ['value'],
  webhooks: ['url'],
  webhook_headers: ['value'],
  webhook_parameters: ['value'],
} as const satisfies Partial<Record<ConfigurationTable, readonly string[]>>;

export type SecretTable = keyof typeof SECRET_COLUMNS;

export const SECRET_TABLES = Object.keys(SECRET_COLUMNS) as SecretTable[];

export const isSecretTable = (table: string): table is SecretTable => Object.hasOwn(SECRET_COLUMNS, table);

/** The row without its secret columns (the same row when its table has none). */
export function withoutSecretColumns<T extends Record<string, unknown> | null>(table: string, row: T): T {
  if (row === null || !isSecretTable(table)) return row;
  const out: Record<string, unknown> = { ...row };
  for (const column of SECRET_COLUMNS[table]) delete out[column];
  return out as T;
}

/** Debezium's column.exclude.list for the secret columns: fully qualified, dots escaped (each entry is a regex). */
export const secretColumnExcludeList = (schema = 'public'): string =>
  SECRET_TABLES.flatMap((table) => SECRET_COLUMNS[table].map((column) => `${schema}\\.${table}\\.${column}`)).join(',');
