// The mapper end to end through real Debezium: SQL in the ERP → decoded Avro
// event on reativa.triggers, for every trigger kind; bad input lands in the
// dead-letter topic while good changes keep flowing.
import { createProducer } from '../../src/kafka/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/kafka/registry.js';
import { createLogger } from '../../src/log.js';
import { startMapper, type RunningMapper } from '../../src/stages/mapper/runner.js';
import type { RecordDeadLetter as DeadLetter } from '../../src/contracts/dead-letter.js';
import { createTestTopic, erpPool, seedParty, settings, testKafka, TopicReader, unique } from '../support/harness.js';
import { testNamespace, type TestNamespace } from '../support/pipeline.js';
import { triggerReader, type DecodedEvent } from '../support/triggers.js';

const pool = erpPool();
const kafka = testKafka();
const registry = createRegistry(settings.schemaRegistryUrl);
let namespace: TestNamespace;
let triggers: ReturnType<typeof triggerReader>;
let mapper: RunningMapper;

beforeAll(async () => {
  namespace = await testNamespace(kafka);
  mapper = await startMapper(kafka, registry, createLogger('warn'), { topicPrefix: settings.topicPrefix, stateDir: settings.state.dir, topics: namespace.topics, groupId: namespace.groups.mapper });
  triggers = triggerReader(kafka, registry, namespace.topics.triggers);
  await triggers.start();
});

afterAll(async () => {
  await Promise.all([mapper?.stop(), triggers?.stop()]);
  await namespace?.drop();
  await pool.end();
});

const one = <T>(rows: { id: T }[]) => Number(rows[0]!.id);

async function integrator(alias: string): Promise<number> {
  return one((await pool.query<{ id: string }>("INSERT INTO integrators (alias, description, version) VALUES ($1, 'teste', 3) RETURNING id", [alias])).rows);
}

async function newContract(stage = 'approved', status = 'normal') {
  const { companyId, clientId } = await seedParty(pool);
  const id = one(
    (
      await pool.query<{ id: string }>(
        'INSERT INTO contracts (company_id, client_id, contract_number, stage, status, negotiation_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
        [companyId, clientId, unique('C'), stage, status, unique('N')],
      )
    ).rows,
  );
  return { id, companyId, clientId };
}

const forContract = (contractId: number, kind: string) => (e: DecodedEvent) => e.contractId === contractId && e.kind === kind;

describe('mapper through Debezium', () => {
  it('contract_change and standard contracts: insert, update, delete; a no-op update produces nothing', async () => {
    const { id } = await newContract('in_approval');
    await pool.query("UPDATE contracts SET updated_at = now() WHERE id = $1", [id]);
    await pool.query("UPDATE contracts SET stage = 'approved' WHERE id = $1", [id]);
    await pool.query('DELETE FROM contracts WHERE id = $1', [id]);
    const changes = await triggers.waitFor(forContract(id, 'contract_change'), 3, 15_000);
    expect(changes.map((e) => e.action)).toEqual(['insert', 'update', 'delete']);
    expect(changes[1]!.body).toMatchObject({ ActionType: 1, Contract: { Id: id, Stage: { Code: 'approved', Label: 'Aprovado' } } });
    const standard = await triggers.waitFor(forContract(id, 'standard'), 3, 5_000);
    expect(standard.map((e) => [e.entity, e.action])).toEqual([['contracts', 'insert'], ['contracts', 'update'], ['contracts', 'delete']]);
    for (const e of [...changes, ...standard]) {
      expect(e.aggregateKey).toBe(`contract:${id}`);
      expect(e.body).toMatchObject({ CompanyTxId: '12.123.123/0001-14' });
    }
  });

  it('contract_service_change: added, swapped and removed services, with their integrator', async () => {
    const [watch, skeelo] = [await integrator(unique('watch')), await integrator(unique('skeelo'))];
    const products = await pool.query<{ id: string }>(
      `INSERT INTO service_products (title, uses_streaming, integrator_id, integration_code) VALUES
         ('Watch', true, $1, 'W-1'), ('Watch Plus', true, $1, 'W-2'), ('Skeelo', true, $2, 'S-1') RETURNING id`,
      [watch, skeelo],
    );
    const [w1, w2, s1] = products.rows.map((r) => Number(r.id)) as [number, number, number];
    const { id } = await newContract();
    const svc = one((await pool.query<{ id: string }>('INSERT INTO contract_services (contract_id, service_product_id) VALUES ($1, $2) RETURNING id', [id, w1])).rows);
    await pool.query('UPDATE contract_services SET service_product_id = $2 WHERE id = $1', [svc, w2]);
    await pool.query('UPDATE contract_services SET service_product_id = $2 WHERE id = $1', [svc, s1]);
    await pool.query('DELETE FROM contract_services WHERE id = $1', [svc]);
    const events = await triggers.waitFor(forContract(id, 'contract_service_change'), 5, 15_000);
    expect(events.map((e) => [e.action, e.integratorId])).toEqual([
      ['insert', watch],
      ['update', watch],
      ['delete', watch],
      ['insert', skeelo],
      ['delete', skeelo],
    ]);
    expect(events[1]!.body.ServiceChange).toEqual({
      Added: [expect.objectContaining({ ServiceProductId: w2, IntegrationCode: 'W-2' })],
      Removed: [expect.objectContaining({ ServiceProductId: w1, IntegrationCode: 'W-1' })],
    });
  });

  it('contract_service_change on a suspension, for each integrator with a service on the contract', async () => {
    const watch = await integrator(unique('watch'));
    const product = one((await pool.query<{ id: string }>("INSERT INTO service_products (title, uses_streaming, integrator_id, integration_code) VALUES ('Watch', true, $1, 'W') RETURNING id", [watch])).rows);
    const { id } = await newContract();
    await pool.query('INSERT INTO contract_services (contract_id, service_product_id) VALUES ($1, $2)', [id, product]);
    await pool.query("UPDATE contracts SET status = 'suspended' WHERE id = $1", [id]);
    // Changes of different tables travel on different topics: the insert and the
    // suspension are not ordered against each other, so find the suspension by action.
    const [suspension] = await triggers.waitFor((e) => forContract(id, 'contract_service_change')(e) && e.action === 'update', 1, 15_000);
    expect(suspension).toMatchObject({ action: 'update', integratorId: watch, body: { Contract: { Status: { Code: 'suspended', Label: 'Suspenso' } } } });
  });

  it('contract_patrimony_change: linked and unlinked, with the patrimony integrator', async () => {
    const tv = await integrator(unique('tv'));
    const patrimony = one((await pool.query<{ id: string }>("INSERT INTO patrimonies (serial_number, integrator_id, integration_code) VALUES ($1, $2, 'STB') RETURNING id", [unique('SN'), tv])).rows);
    const { id } = await newContract();
    const link = one((await pool.query<{ id: string }>('INSERT INTO contract_patrimonies (contract_id, patrimony_id) VALUES ($1, $2) RETURNING id', [id, patrimony])).rows);
    await pool.query('DELETE FROM contract_patrimonies WHERE id = $1', [link]);
    const events = await triggers.waitFor(forContract(id, 'contract_patrimony_change'), 2, 15_000);
    expect(events.map((e) => [e.action, e.integratorId])).toEqual([['insert', tv], ['delete', tv]]);
    expect(events[0]!.body.Patrimony).toMatchObject({ Id: patrimony, IntegrationCode: 'STB' });
  });

  it('standard: connections, solicitations, reports, titles, receipts and electronic signatures', async () => {
    const { id, companyId, clientId } = await newContract();
    const conn = one((await pool.query<{ id: string }>("INSERT INTO contract_connections (contract_id, login, ip_address) VALUES ($1, 'maria', '10.0.0.2') RETURNING id", [id])).rows);
    await pool.query('UPDATE contract_connections SET active = false WHERE id = $1', [conn]);
    const sol = one((await pool.query<{ id: string }>("INSERT INTO solicitations (company_id, contract_id, client_id, protocol, subject) VALUES ($1, $2, $3, $4, 'Sem sinal') RETURNING id", [companyId, id, clientId, unique('P')])).rows);
    await pool.query("INSERT INTO reports (solicitation_id, description) VALUES ($1, 'Técnico agendado')", [sol]);
    const title = one(
      (
        await pool.query<{ id: string }>(
          "INSERT INTO receivable_titles (company_id, contract_id, client_id, title_number, issue_date, due_date, amount) VALUES ($1, $2, $3, $4, '2026-11-29', '2026-12-10', 99.90) RETURNING id",
          [companyId, id, clientId, unique('T')],
        )
      ).rows,
    );
    await pool.query("INSERT INTO title_receipts (receivable_title_id, receipt_date, amount_paid, payment_method) VALUES ($1, '2026-12-01', 99.90, 'pix')", [title]);
    const sig = one((await pool.query<{ id: string }>("INSERT INTO electronic_signatures (contract_id, code, signer_name, email, status) VALUES ($1, '34876', 'Maria', 'maria@example.com', 2) RETURNING id", [id])).rows);
    await pool.query('UPDATE electronic_signatures SET status = 3 WHERE id = $1', [sig]);
    await pool.query('DELETE FROM electronic_signatures WHERE id = $1', [sig]);

    const expected = [
      ['contract_connections', 'insert'],
      ['contract_connections', 'update'],
      ['solicitations', 'insert'],
      ['reports', 'insert'],
      ['title_issuance', 'insert'],
      ['title_receipt', 'insert'],
      ['electronic_signature', 'insert'],
      ['electronic_signature', 'update'],
      ['electronic_signature', 'delete'],
    ];
    const isOurs = (e: DecodedEvent) => forContract(id, 'standard')(e) && e.entity !== 'contracts';
    const events = await triggers.waitFor(isOurs, expected.length, 20_000);
    expect(events.map((e) => [e.entity, e.action]).sort()).toEqual([...expected].sort());
    const byEntity = (entity: string, action: string) => events.find((e) => e.entity === entity && e.action === action)!.body;
    expect(byEntity('title_issuance', 'insert').Title).toMatchObject({ IssueDate: '2026-11-29', DueDate: '2026-12-10', Amount: '99.90' });
    expect(byEntity('title_receipt', 'insert').Receipt).toMatchObject({ TitleId: title, ReceiptDate: '2026-12-01', AmountPaid: '99.90' });
    expect(byEntity('reports', 'insert').Report).toMatchObject({ SolicitationId: sol, ContractId: id });
    expect(byEntity('electronic_signature', 'update')).toMatchObject({ ActionType: 1, Contract: { ElectronicSignatures: [{ Code: '34876', Status: 3 }] } });
    expect(byEntity('electronic_signature', 'delete')).toMatchObject({ ActionType: 2, Contract: { ElectronicSignatures: [{ Code: '34876', Status: 3 }] } });
  });

  it('sends bad input to the dead-letter topic and keeps mapping good changes', async () => {
    // Poison cannot come from Debezium: it goes into a change log of this test's own, never the real one.
    const isolatedNamespace = await testNamespace(kafka);
    const { topics, groups } = isolatedNamespace;
    const log = `${topics.namespace}.changes`;
    const admin = kafka.admin();
    await admin.connect();
    await createTestTopic(admin, log);
    const producer = createProducer(kafka);
    await producer.connect();
    const source = (table: string, lsn: number) => ({ version: '3.6.1.Final', connector: 'postgresql', name: 'erp', ts_ms: Date.now(), snapshot: 'false', db: 'erp', schema: 'public', table, txId: 1, lsn });
    const change = (table: string, op: string, after: Record<string, unknown>, lsn: number) => ({
      key: JSON.stringify({ id: after.id, __dbz__physicalTableIdentifier: `erp.public.${table}` }),
      value: JSON.stringify({ before: null, after, source: { ...source(table, lsn), snapshot: op === 'r' ? 'true' : 'false' }, op }),
    });
    await producer.send({
      topic: log,
      messages: [
        change('companies', 'r', { id: 1, name: 'Provedor', tx_id: '12.123.123/0001-14' }, 10),
        change('people', 'r', { id: 2, name: 'Maria' }, 11),
        { key: JSON.stringify({ id: 3 }), value: '{not json' },
        change('contract_connections', 'c', { id: 4, contract_id: 987654321, login: 'x' }, 12),
        change('invoices', 'c', { id: 5 }, 13),
        change('contracts', 'c', { id: 6, company_id: 1, client_id: 2, contract_number: 'C-6', stage: 'approved', status: 'normal' }, 14),
        // A date PostgreSQL holds and JavaScript cannot (past the year 275760): a dead letter, not a crash loop.
        change('receivable_titles', 'c', { id: 8, company_id: 1, client_id: 2, contract_id: 6, title_number: 'T-8', issue_date: 1e9, due_date: 1e9, amount: '1.00', status: 'open' }, 15),
        change('contracts', 'u', { id: 6, company_id: 1, client_id: 2, contract_number: 'C-6', stage: 'approved', status: 'suspended' }, 16),
      ],
    });
    await producer.disconnect();
    const isolated = await startMapper(kafka, registry, createLogger('silent'), { topicPrefix: settings.topicPrefix, stateDir: settings.state.dir, topics, groupId: `${groups.mapper}-isolated`, logTopic: log });
    const dead = new TopicReader<DeadLetter>(kafka, [topics.triggersDlq], (value) => JSON.parse(value!.toString()) as DeadLetter, 'beginning');
    const events = triggerReader(kafka, registry, topics.triggers, 'beginning');
    await Promise.all([dead.start(), events.start()]);
    try {
      const letters = await dead.waitFor(() => true, 4, 20_000);
      const reasons = letters.map((d) => d.reason);
      for (const pattern of [/^not JSON/, /^missing parent row: contracts 987654321/, /^unknown table 'public.invoices'/, /^RangeError: Invalid time value/]) {
        expect(reasons.some((r) => pattern.test(r)), `a dead letter matching ${pattern}`).toBe(true);
      }
      for (const d of letters) expect(d.source.topic).toBe(log);
      expect(letters.find((d) => d.reason.startsWith('missing parent'))?.position).toEqual({ table: 'contract_connections', lsn: 12 });
      // The mapper kept going: the good change after the bad ones is mapped, from the state the log built.
      const [mapped] = await events.waitFor((e) => e.contractId === 6 && e.kind === 'contract_change', 1, 20_000);
      expect(mapped!.body).toMatchObject({ CompanyTxId: '12.123.123/0001-14', Contract: { Client: { Name: 'Maria' } } });
      // And past the bad date, the next change of the same contract.
      await events.waitFor((e) => e.contractId === 6 && e.action === 'update', 1, 20_000);
      // Each dead letter keeps the record as read, byte for byte, for a redrive.
      const notJson = letters.find((d) => d.reason.startsWith('not JSON'))!;
      expect(Buffer.from(notJson.value!, 'base64').toString()).toBe('{not json');
      expect(notJson.stage).toBe('decode');
    } finally {
      await Promise.all([isolated.stop(), dead.stop(), events.stop()]);
      await admin.deleteTopics({ topics: [log] }).catch(() => undefined);
      await admin.disconnect();
      await isolatedNamespace.drop();
    }
  });
});
