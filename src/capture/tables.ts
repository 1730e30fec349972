// The ERP tables Reativa captures (ERP_REFERENCE_SCHEMA.md), by exact name.
// `configuration` tables define state (webhooks, integrators, parameters, the
// catalogue): they are snapshotted and their topics compacted, so the current
// configuration can always be rebuilt from Kafka. Business tables are not
// snapshotted: history is never sent.

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

/** Debezium's topic for a table: <topic.prefix>.<schema>.<table>. */
export const changeTopic = (prefix: string, table: string, schema = 'public') => `${prefix}.${schema}.${table}`;
