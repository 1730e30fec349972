// Debezium change events as the connector writes them to the change log
// (routed key with the table identifier, JSON without schemas), made up for
// benchmarks that need a log of a known shape and size: snapshot reads of a
// seeded ERP, then a mix of business changes referring to it.
import { createProducer } from '../src/kafka/client.js';
import type { Kafka } from 'kafkajs';
import { sendAll } from '../src/kafka/produce.js';

export interface LogRecord {
  readonly key: string;
  readonly value: string;
}

export const SEED = { contracts: 2000, integrators: 10, products: 40, patrimonies: 200, solicitations: 500, titles: 2000 };
const BASE = { company: 1, people: 10_000, integrators: 20_000, products: 30_000, contracts: 40_000, services: 50_000, patrimonies: 60_000, solicitations: 70_000, titles: 80_000 };

let lsn = 10_000_000;
export function record(table: string, op: 'r' | 'c' | 'u' | 'd', row: Record<string, unknown>, before: Record<string, unknown> | null = null, committedAt = Date.now()): LogRecord {
  lsn += 64;
  const source = { version: '3.6.1.Final', connector: 'postgresql', name: 'erp', ts_ms: committedAt, snapshot: op === 'r' ? 'true' : 'false', db: 'erp', schema: 'public', table, txId: lsn, lsn };
  return {
    key: JSON.stringify({ id: row.id, __dbz__physicalTableIdentifier: `erp.public.${table}` }),
    value: JSON.stringify({ before: op === 'd' ? row : before, after: op === 'd' ? null : row, source, op, ts_ms: committedAt }),
  };
}

const contractRow = (i: number) => ({ id: BASE.contracts + i, company_id: BASE.company, client_id: BASE.people + i, contract_number: `B-${i}`, stage: 'approved', status: 'normal', billing_period: 10, negotiation_id: null, updated_at: '2026-11-29T12:00:00Z' });

/** Snapshot reads of the seeded ERP: what fills the state store before any change. */
export function* seedRecords(): Generator<LogRecord> {
  yield record('companies', 'r', { id: BASE.company, name: 'Bench ISP', tx_id: '12.123.123/0001-14' });
  for (let i = 0; i < SEED.integrators; i++) yield record('integrators', 'r', { id: BASE.integrators + i, alias: `bench-${i}`, description: null, integration_type: 'reactive', version: 3, url: null, token: null, active: true });
  for (let i = 0; i < SEED.products; i++) yield record('service_products', 'r', { id: BASE.products + i, title: `SVA ${i}`, uses_streaming: true, integrator_id: BASE.integrators + (i % SEED.integrators), integration_code: `CODE-${i}` });
  for (let i = 0; i < SEED.patrimonies; i++) yield record('patrimonies', 'r', { id: BASE.patrimonies + i, serial_number: `SN-${i}`, description: null, integrator_id: BASE.integrators + (i % SEED.integrators), integration_code: null });
  for (let i = 0; i < SEED.contracts; i++) {
    yield record('people', 'r', { id: BASE.people + i, name: `Cliente ${i}`, tx_id: null, email: `c${i}@example.com`, phone: '(11)3333-4444', cell_phone: '(11)99999-0000' });
    yield record('contracts', 'r', contractRow(i));
    yield record('contract_services', 'r', { id: BASE.services + i, contract_id: BASE.contracts + i, service_product_id: BASE.products + (i % SEED.products), created_at: '2026-11-29T12:00:00Z' });
  }
  for (let i = 0; i < SEED.solicitations; i++) yield record('solicitations', 'r', { id: BASE.solicitations + i, company_id: BASE.company, contract_id: BASE.contracts + (i % SEED.contracts), client_id: BASE.people + (i % SEED.contracts), protocol: `P-${i}`, subject: 'x', status: 'open' });
  for (let i = 0; i < SEED.titles; i++) yield record('receivable_titles', 'r', { id: BASE.titles + i, company_id: BASE.company, contract_id: BASE.contracts + (i % SEED.contracts), client_id: BASE.people + (i % SEED.contracts), title_number: `T-${i}`, issue_date: 20786, due_date: 20796, amount: '99.90', status: 'open' });
}

/**
 * One business change; `i` picks the kind: 30% contract updates (half of them
 * saves that change nothing and so produce nothing), 15% service additions,
 * 10% each patrimony links, connections, solicitations and titles, 5% each
 * reports, receipts and signatures.
 */
export function changeRecord(i: number): LogRecord {
  const c = i % SEED.contracts;
  const contract = contractRow(c);
  const id = 1_000_000 + i;
  const slot = i % 20;
  if (slot < 6) return record('contracts', 'u', { ...contract, status: slot % 2 ? 'suspended' : 'normal' }, contract);
  if (slot < 9) return record('contract_services', 'c', { id, contract_id: contract.id, service_product_id: BASE.products + (i % SEED.products), created_at: '2026-11-29T12:00:00Z' });
  if (slot < 11) return record('contract_patrimonies', 'c', { id, contract_id: contract.id, patrimony_id: BASE.patrimonies + (i % SEED.patrimonies), linked_at: '2026-11-29T12:00:00Z' });
  if (slot < 13) return record('contract_connections', 'c', { id, contract_id: contract.id, login: `u${i}`, ip_address: '100.64.0.1', mac_address: null, active: true });
  if (slot < 15) return record('solicitations', 'c', { id, company_id: BASE.company, contract_id: contract.id, client_id: contract.client_id, protocol: `P${i}`, subject: 'x', status: 'open' });
  if (slot < 16) return record('reports', 'c', { id, solicitation_id: BASE.solicitations + (i % SEED.solicitations), description: 'relato', created_at: '2026-11-29T12:00:00Z' });
  if (slot < 18) return record('receivable_titles', 'c', { id, company_id: BASE.company, contract_id: contract.id, client_id: contract.client_id, title_number: `T${i}`, issue_date: 20786, due_date: 20796, amount: '99.90', status: 'open' });
  if (slot < 19) return record('title_receipts', 'c', { id, receivable_title_id: BASE.titles + (i % SEED.titles), receipt_date: 20790, amount_paid: '99.90', payment_method: 'pix' });
  return record('electronic_signatures', 'c', { id, contract_id: contract.id, code: `S${i}`, signer_name: 'Maria', email: 'm@example.com', phone: null, url: null, status: 2 });
}

/** Writes records to a topic in chunks; returns how many were written. */
export async function writeLog(kafka: Kafka, topic: string, records: Iterable<LogRecord>): Promise<number> {
  const producer = createProducer(kafka);
  await producer.connect();
  let count = 0;
  let chunk: LogRecord[] = [];
  const flush = async () => {
    if (chunk.length > 0) await sendAll(producer, [{ topic, messages: chunk }]);
    count += chunk.length;
    chunk = [];
  };
  try {
    for (const r of records) {
      chunk.push(r);
      if (chunk.length >= 5000) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return count;
}
