// Read-only, batched enrichment from the ERP database: for a whole Kafka batch,
// one query per entity type (ids with = ANY($1)), never one per message.
// Parents found on the way (a report's solicitation, a receipt's title, a
// row's contract) pull their own company, client and services into the same batch.
import pg from 'pg';
import type {
  Company,
  ContractRecord,
  ContractService,
  Enrichment,
  EnrichmentRequest,
  Patrimony,
  Person,
  ReceivableTitle,
  ServiceProduct,
  Solicitation,
} from '../mapping/enrichment.js';

const INT8 = 20;

/** A read-only pool: bigint ids as numbers, statement timeout, connection timeout. */
export function createErpPool(databaseUrl: string, max = 4, statementTimeoutMs = 10_000): pg.Pool {
  return new pg.Pool({
    connectionString: databaseUrl,
    max,
    connectionTimeoutMillis: 5000,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    options: '-c default_transaction_read_only=on',
    application_name: 'reativa-enrichment',
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
}

async function byIds<T>(pool: pg.Pool, sql: string, ids: Set<number>): Promise<T[]> {
  if (ids.size === 0) return [];
  return (await pool.query<T & pg.QueryResultRow>(sql, [[...ids]])).rows;
}

const indexById = <T extends { id: number }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));

export interface EnrichmentStats {
  queries: number;
}

export async function loadEnrichment(pool: pg.Pool, request: EnrichmentRequest, stats?: EnrichmentStats): Promise<Enrichment> {
  const contracts = new Set(request.contracts);
  const companies = new Set(request.companies);
  const people = new Set(request.people);
  const products = new Set(request.serviceProducts);
  let queries = 0;
  const q = <T>(sql: string, ids: Set<number>) => {
    if (ids.size > 0) queries += 1;
    return byIds<T>(pool, sql, ids);
  };

  // 1. Parents that lead to a contract.
  const [solicitations, titles] = await Promise.all([
    q<Solicitation>(
      `SELECT id, company_id AS "companyId", contract_id AS "contractId", client_id AS "clientId", protocol
         FROM solicitations WHERE id = ANY($1::bigint[])`,
      request.solicitations,
    ),
    q<ReceivableTitle>(
      `SELECT id, company_id AS "companyId", contract_id AS "contractId", client_id AS "clientId", title_number AS "titleNumber"
         FROM receivable_titles WHERE id = ANY($1::bigint[])`,
      request.receivableTitles,
    ),
  ]);
  for (const p of [...solicitations, ...titles]) {
    if (p.contractId !== null) contracts.add(p.contractId);
    companies.add(p.companyId);
    people.add(p.clientId);
  }

  // 2. Contracts, and the services each has now.
  const [contractRows, serviceRows] = await Promise.all([
    q<ContractRecord>(
      `SELECT id, company_id AS "companyId", client_id AS "clientId", contract_number AS "contractNumber",
              stage, status, billing_period AS "billingPeriod", negotiation_id AS "negotiationId"
         FROM contracts WHERE id = ANY($1::bigint[])`,
      contracts,
    ),
    q<ContractService>(
      `SELECT id, contract_id AS "contractId", service_product_id AS "serviceProductId", created_at::text AS "createdAt"
         FROM contract_services WHERE contract_id = ANY($1::bigint[]) ORDER BY contract_id, id`,
      contracts,
    ),
  ]);
  for (const c of contractRows) {
    companies.add(c.companyId);
    people.add(c.clientId);
  }
  for (const s of serviceRows) products.add(s.serviceProductId);

  // 3. Leaves: companies, people, catalogue items, patrimonies.
  const [companyRows, peopleRows, productRows, patrimonyRows] = await Promise.all([
    q<Company>(`SELECT id, name, tx_id AS "txId" FROM companies WHERE id = ANY($1::bigint[])`, companies),
    q<Person>(
      `SELECT id, name, tx_id AS "txId", email, phone, cell_phone AS "cellPhone" FROM people WHERE id = ANY($1::bigint[])`,
      people,
    ),
    q<ServiceProduct>(
      `SELECT id, title, uses_streaming AS "usesStreaming", integrator_id AS "integratorId", integration_code AS "integrationCode"
         FROM service_products WHERE id = ANY($1::bigint[])`,
      products,
    ),
    q<Patrimony>(
      `SELECT id, serial_number AS "serialNumber", description, integrator_id AS "integratorId", integration_code AS "integrationCode"
         FROM patrimonies WHERE id = ANY($1::bigint[])`,
      request.patrimonies,
    ),
  ]);

  const contractServices = new Map<number, ContractService[]>();
  for (const s of serviceRows) contractServices.set(s.contractId, [...(contractServices.get(s.contractId) ?? []), s]);
  if (stats) stats.queries += queries;
  return {
    companies: indexById(companyRows),
    people: indexById(peopleRows),
    contracts: indexById(contractRows),
    serviceProducts: indexById(productRows),
    patrimonies: indexById(patrimonyRows),
    contractServices,
    solicitations: indexById(solicitations),
    receivableTitles: indexById(titles),
  };
}
