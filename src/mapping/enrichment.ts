// What bodies need beyond the changed row, as plain data. The mapper is pure:
// it receives this, already loaded for a whole Kafka batch (src/db/erp-enrichment.ts
// runs one query per entity type), and never touches the database itself.

export interface Company {
  readonly id: number;
  readonly name: string;
  readonly txId: string;
}

export interface Person {
  readonly id: number;
  readonly name: string;
  readonly txId: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly cellPhone: string | null;
}

export interface ContractRecord {
  readonly id: number;
  readonly companyId: number;
  readonly clientId: number;
  readonly contractNumber: string;
  readonly stage: string;
  readonly status: string;
  readonly billingPeriod: number | null;
  readonly negotiationId: string | null;
}

export interface ServiceProduct {
  readonly id: number;
  readonly title: string;
  readonly usesStreaming: boolean;
  readonly integratorId: number | null;
  readonly integrationCode: string | null;
}

export interface ContractService {
  readonly id: number;
  readonly contractId: number;
  readonly serviceProductId: number;
  readonly createdAt: string | null;
}

export interface Patrimony {
  readonly id: number;
  readonly serialNumber: string;
  readonly description: string | null;
  readonly integratorId: number | null;
  readonly integrationCode: string | null;
}

export interface Solicitation {
  readonly id: number;
  readonly companyId: number;
  readonly contractId: number | null;
  readonly clientId: number;
  readonly protocol: string;
}

export interface ReceivableTitle {
  readonly id: number;
  readonly companyId: number;
  readonly contractId: number | null;
  readonly clientId: number;
  readonly titleNumber: string;
}

export interface Enrichment {
  readonly companies: ReadonlyMap<number, Company>;
  readonly people: ReadonlyMap<number, Person>;
  readonly contracts: ReadonlyMap<number, ContractRecord>;
  readonly serviceProducts: ReadonlyMap<number, ServiceProduct>;
  readonly patrimonies: ReadonlyMap<number, Patrimony>;
  /** The services each contract has now, by contract id. */
  readonly contractServices: ReadonlyMap<number, readonly ContractService[]>;
  readonly solicitations: ReadonlyMap<number, Solicitation>;
  readonly receivableTitles: ReadonlyMap<number, ReceivableTitle>;
}

export const emptyEnrichment = (): Enrichment => ({
  companies: new Map(),
  people: new Map(),
  contracts: new Map(),
  serviceProducts: new Map(),
  patrimonies: new Map(),
  contractServices: new Map(),
  solicitations: new Map(),
  receivableTitles: new Map(),
});

/** Ids to load, by entity type, gathered from a whole batch before any query runs. */
export interface EnrichmentRequest {
  readonly contracts: Set<number>;
  readonly companies: Set<number>;
  readonly people: Set<number>;
  readonly serviceProducts: Set<number>;
  readonly patrimonies: Set<number>;
  readonly solicitations: Set<number>;
  readonly receivableTitles: Set<number>;
}

export const emptyRequest = (): EnrichmentRequest => ({
  contracts: new Set(),
  companies: new Set(),
  people: new Set(),
  serviceProducts: new Set(),
  patrimonies: new Set(),
  solicitations: new Set(),
  receivableTitles: new Set(),
});
