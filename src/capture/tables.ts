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

/** The one ordered change log Debezium writes every captured table to. */
export const changeLogTopic = (prefix: string) => `${prefix}.changes`;

/** Debezium's own topic for a table, before routing: <topic.prefix>.<schema>.<table> (the key's table identifier). */
export const changeTopic = (prefix: string, table: string, schema = 'public') => `${prefix}.${schema}.${table}`;
