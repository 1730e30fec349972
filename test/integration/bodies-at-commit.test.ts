// Bodies are built from the ERP as it was at each change's commit, from the
// change log and the state store, never from the live ERP: a burst of inserts,
// updates and deletes within a second delivers all of it with the right bodies;
// a replay after the rows changed re-emits the same bytes; changes of two
// tables reach a partner in commit order.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDigest } from '../../src/alerts/digest.js';
import { createMailTransport } from '../../src/alerts/mailer.js';
import { TRIGGER_EVENT } from '../../src/contracts/trigger-event.js';
import { AvroCodec } from '../../src/kafka/avro-codec.js';
import { applyReplay, planReplay } from '../../src/kafka/groups.js';
import { createLogger } from '../../src/log.js';
import { startDelivery, type RunningDelivery } from '../../src/stages/delivery/runner.js';
import { waitFor } from '../../src/util/wait.js';
import { erpPool, seedParty, settings, testWebhookName, TopicReader, unique } from '../support/harness.js';
import { PartnerSimulator, type ReceivedRequest } from '../support/partner-simulator.js';
import { changeLog, deliveryReader, one, startPipeline, testDeliveryOptions, type Pipeline } from '../support/pipeline.js';

const pool = erpPool();
const reativaPool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 4 });
const partner = new PartnerSimulator();
const transport = createMailTransport(settings.smtpUrl, 5000);
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
const digest = new AlertDigest(transport, 'Reativa <reativa@example.com>', 1000, logger);
let base = '';
let pipeline: Pipeline;
let delivery: RunningDelivery;

beforeAll(async () => {
  base = await partner.start();
  pipeline = await startPipeline(pool);
  delivery = await startDelivery(pipeline.kafka, pipeline.registry, reativaPool, pipeline.routing.live, digest, logger, testDeliveryOptions(pipeline, { delaysMs: [300, 600] }));
});

afterAll(async () => {
  await delivery?.stop();
  await pipeline?.stop();
  await partner.stop();
  await digest.close();
  transport.close();
  await Promise.all([pool.end(), reativaPool.end()]);
});

const ENTITIES = ['contracts', 'contract_connections', 'solicitations', 'reports', 'title_issuance', 'title_receipt', 'electronic_signature'];

/** A standard webhook with every (entity, action) row, at a path of its own. */
async function standardWebhookForAll(): Promise<{ id: number; path: string }> {
  const integratorId = one((await pool.query<{ id: string }>('INSERT INTO integrators (alias, version) VALUES ($1, 3) RETURNING id', [unique('int')])).rows);
  const path = `/${unique('all')}`;
  const id = one(
    (
      await pool.query<{ id: string }>(
        "INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ($1, $2, 'POST', $3, 5, $4, 'standard', true) RETURNING id",
        [testWebhookName('all'), integratorId, `${base}${path}`, `${unique('ops')}@example.com`],
      )
    ).rows,
  );
  for (const entity of ENTITIES) for (const action of ['insert', 'update', 'delete']) {
    await pool.query('INSERT INTO webhook_triggers (webhook_id, entity, action) VALUES ($1, $2, $3)', [id, entity, action]);
  }
  return { id, path };
}

const ENTITY_OF: Record<string, string> = {
  Contract: 'contracts',
  ContractConnection: 'contract_connections',
  Solicitation: 'solicitations',
  Report: 'reports',
  Title: 'title_issuance',
  Receipt: 'title_receipt',
};

/** The entity a standard body describes (a signature body's Contract has ElectronicSignatures). */
function entityOf(body: Record<string, unknown>): string {
  const contract = body.Contract as { ElectronicSignatures?: unknown } | undefined;
  if (contract?.ElectronicSignatures) return 'electronic_signature';
  const group = Object.keys(body).find((k) => ENTITY_OF[k]);
  return ENTITY_OF[group!]!;
}

describe('bodies built as at commit', () => {
  it('delivers all 21 changes of a burst that inserts, updates and deletes a contract and its children within a second', async () => {
    const hook = await standardWebhookForAll();
    const { companyId, clientId } = await seedParty(pool);
    const number = unique('C-burst');
    const contract = one((await pool.query<{ id: string }>("INSERT INTO contracts (company_id, client_id, contract_number, negotiation_id) VALUES ($1, $2, $3, 'NEG-1') RETURNING id", [companyId, clientId, number])).rows);
    const connection = one((await pool.query<{ id: string }>("INSERT INTO contract_connections (contract_id, login) VALUES ($1, 'burst') RETURNING id", [contract])).rows);
    const solicitation = one((await pool.query<{ id: string }>("INSERT INTO solicitations (company_id, contract_id, client_id, protocol) VALUES ($1, $2, $3, 'P-burst') RETURNING id", [companyId, contract, clientId])).rows);
    const report = one((await pool.query<{ id: string }>("INSERT INTO reports (solicitation_id, description) VALUES ($1, 'relato') RETURNING id", [solicitation])).rows);
    const title = one((await pool.query<{ id: string }>("INSERT INTO receivable_titles (company_id, contract_id, client_id, title_number, issue_date, due_date, amount) VALUES ($1, $2, $3, 'T-burst', '2026-11-29', '2026-12-10', 10) RETURNING id", [companyId, contract, clientId])).rows);
    const receipt = one((await pool.query<{ id: string }>("INSERT INTO title_receipts (receivable_title_id, receipt_date, amount_paid) VALUES ($1, '2026-12-01', 10) RETURNING id", [title])).rows);
    const signature = one((await pool.query<{ id: string }>("INSERT INTO electronic_signatures (contract_id, code, signer_name, status) VALUES ($1, 'S-1', 'Maria', 2) RETURNING id", [contract])).rows);
    await pool.query('UPDATE contracts SET billing_period = 15 WHERE id = $1', [contract]);
    await pool.query("UPDATE contract_connections SET login = 'burst-2' WHERE id = $1", [connection]);
    await pool.query("UPDATE solicitations SET status = 'in_progress' WHERE id = $1", [solicitation]);
    await pool.query("UPDATE reports SET description = 'relato 2' WHERE id = $1", [report]);
    await pool.query("UPDATE receivable_titles SET status = 'paid' WHERE id = $1", [title]);
    await pool.query("UPDATE title_receipts SET payment_method = 'pix' WHERE id = $1", [receipt]);
    await pool.query('UPDATE electronic_signatures SET status = 3 WHERE id = $1', [signature]);
    // Children go first where the ERP's foreign keys say so; the contract last.
    await pool.query('DELETE FROM title_receipts WHERE id = $1', [receipt]);
    await pool.query('DELETE FROM receivable_titles WHERE id = $1', [title]);
    await pool.query('DELETE FROM reports WHERE id = $1', [report]);
    await pool.query('DELETE FROM solicitations WHERE id = $1', [solicitation]);
    await pool.query('DELETE FROM contract_connections WHERE id = $1', [connection]);
    await pool.query('DELETE FROM electronic_signatures WHERE id = $1', [signature]);
    await pool.query('DELETE FROM contracts WHERE id = $1', [contract]);

    const ours = () => partner.requests.filter((r) => r.path === hook.path);
    await waitFor('21 deliveries', async () => ours().length >= 21, { timeoutMs: 30_000 });
    const received = ours().map((r) => r.json as Record<string, unknown>);
    expect(received).toHaveLength(21);
    expect(received.map((b) => `${entityOf(b)}:${b.ActionType}`).sort()).toEqual(ENTITIES.flatMap((e) => [0, 1, 2].map((a) => `${e}:${a}`)).sort());
    // Every child, deleted after its parent or not, names the contract as it was.
    const byEntity = (entity: string, action: number) => received.find((b) => entityOf(b) === entity && b.ActionType === action)!;
    expect(byEntity('contract_connections', 2).ContractConnection).toMatchObject({ Id: connection, ContractNumber: number, Login: 'burst-2' });
    expect(byEntity('reports', 2).Report).toMatchObject({ SolicitationId: solicitation, Protocol: 'P-burst', ContractId: contract, Description: 'relato 2' });
    expect(byEntity('title_receipt', 2).Receipt).toMatchObject({ TitleId: title, TitleNumber: 'T-burst', ContractId: contract, PaymentMethod: 'pix' });
    expect(byEntity('electronic_signature', 2).Contract).toMatchObject({ ThirdPartyInformation: { NegotiationId: 'NEG-1' }, ElectronicSignatures: [{ Code: 'S-1', Status: 3 }] });
    expect(byEntity('contracts', 2).Contract).toMatchObject({ Id: contract, ContractNumber: number, BillingPeriod: 15 });
  });

  it('replays the same bytes after the ERP rows changed and were deleted', async () => {
    const triggers = pipeline.topics.triggers;
    const raw = new TopicReader<Buffer>(pipeline.kafka, [triggers], (value) => value!, 'end');
    await raw.start();
    const codec = new AvroCodec(pipeline.registry, TRIGGER_EVENT);
    try {
      const { companyId, clientId } = await seedParty(pool);
      const pointInTime = Date.now();
      const contract = one((await pool.query<{ id: string }>("INSERT INTO contracts (company_id, client_id, contract_number, stage) VALUES ($1, $2, 'C-replay', 'approved') RETURNING id", [companyId, clientId])).rows);
      await pool.query("INSERT INTO contract_connections (contract_id, login) VALUES ($1, 'replay')", [contract]);
      await pool.query("UPDATE contracts SET status = 'suspended' WHERE id = $1", [contract]);
      const ours = async () => {
        const out: { id: string; bytes: Buffer }[] = [];
        for (const bytes of raw.records.map((r) => r.value)) {
          const event = await codec.decode(bytes);
          if (event.contractId === contract) out.push({ id: event.eventId, bytes });
        }
        return out;
      };
      // contract insert (contract_change + standard) + connection + update (contract_change + standard)
      const first = await waitFor('the first mapping', async () => ((await ours()).length >= 5 ? ours() : undefined), { timeoutMs: 20_000 });

      // The ERP moves on: the client's data changes, the rows go away.
      await pool.query("UPDATE people SET name = 'Outro Nome', email = 'outro@example.com' WHERE id = $1", [clientId]);
      await pool.query("UPDATE companies SET tx_id = '00.000.000/0000-00' WHERE id = $1", [companyId]);
      await pool.query('DELETE FROM contract_connections WHERE contract_id = $1', [contract]);
      await pool.query('DELETE FROM contracts WHERE id = $1', [contract]);
      // connection delete (standard) + contract delete (contract_change + standard)
      await waitFor('the deletes mapped', async () => (await ours()).length >= 8, { timeoutMs: 20_000 });

      // Replay the mapper from before the first change, with the same store.
      const group = pipeline.namespace.groups.mapper;
      await pipeline.restartMapper(async () => {
        const admin = pipeline.kafka.admin();
        await admin.connect();
        try {
          await waitFor('the mapper group to empty', async () => (await admin.describeGroups([group])).groups[0]?.members.length === 0, { timeoutMs: 30_000 });
          const steps = await planReplay(admin, group, [changeLog()], { kind: 'datetime', at: pointInTime });
          await applyReplay(pipeline.kafka, group, steps);
        } finally {
          await admin.disconnect();
        }
      });
      const firstIds = new Map(first.map((e) => [e.id, e.bytes]));
      await waitFor('the replayed events', async () => (await ours()).filter((e) => firstIds.has(e.id)).length >= first.length * 2, { timeoutMs: 30_000 });
      for (const e of (await ours()).filter((x) => firstIds.has(x.id))) expect(e.bytes.equals(firstIds.get(e.id)!)).toBe(true);
      // And the bodies speak of the ERP as it was: the client's name then, the CNPJ then.
      const body = (await codec.decode(first[0]!.bytes)).body as { CompanyTxId: string; Contract: { Client: { Name: string } } };
      expect(body.CompanyTxId).toBe('12.123.123/0001-14');
      expect(body.Contract.Client.Name).not.toBe('Outro Nome');
    } finally {
      await raw.stop();
    }
  });

  it('delivers a service added and then the contract suspended in commit order, 100 times out of 100', async () => {
    const integratorId = one((await pool.query<{ id: string }>('INSERT INTO integrators (alias, version) VALUES ($1, 3) RETURNING id', [unique('order')])).rows);
    const product = one((await pool.query<{ id: string }>("INSERT INTO service_products (title, uses_streaming, integrator_id, integration_code) VALUES ('SVA', true, $1, 'SVA-1') RETURNING id", [integratorId])).rows);
    const path = `/${unique('order')}`;
    const webhookId = one(
      (
        await pool.query<{ id: string }>(
          "INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ($1, $2, 'POST', $3, 5, $4, 'contract_service_change', true) RETURNING id",
          [testWebhookName('order'), integratorId, `${base}${path}`, `${unique('ops')}@example.com`],
        )
      ).rows,
    );
    const deliveries = deliveryReader(pipeline.kafka, pipeline.registry, pipeline.topics);
    await deliveries.start();
    try {
      const { companyId, clientId } = await seedParty(pool);
      const contracts: number[] = [];
      for (let i = 0; i < 100; i++) {
        const c = one((await pool.query<{ id: string }>("INSERT INTO contracts (company_id, client_id, contract_number, stage, status) VALUES ($1, $2, $3, 'approved', 'normal') RETURNING id", [companyId, clientId, unique('C-order')])).rows);
        contracts.push(c);
        // Two tables, two transactions, in this order.
        await pool.query('INSERT INTO contract_services (contract_id, service_product_id) VALUES ($1, $2)', [c, product]);
        await pool.query("UPDATE contracts SET status = 'suspended' WHERE id = $1", [c]);
      }
      const ours = (r: ReceivedRequest) => r.path === path;
      await waitFor('200 deliveries', async () => partner.requests.filter(ours).length >= 200, { timeoutMs: 60_000 });
      const sequence = new Map<number, string[]>();
      for (const r of partner.requests.filter(ours)) {
        const body = r.json as { ActionType: number; Contract: { Id: number; Status: { Code: string } } };
        sequence.set(body.Contract.Id, [...(sequence.get(body.Contract.Id) ?? []), `${body.ActionType}:${body.Contract.Status.Code}`]);
      }
      for (const c of contracts) expect(sequence.get(c), `contract ${c}`).toEqual(['0:normal', '1:suspended']);
      expect(deliveries.matching((d) => d.webhookId === webhookId)).toHaveLength(200);
    } finally {
      await deliveries.stop();
    }
  });
});
