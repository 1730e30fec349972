// The trigger kinds beyond contracts and the standard integration, and the
// integrator versions 5, 6 and 8, end to end on the embedded stack: each case
// writes its integrator, webhook and ERP rows with SQL, Debezium → mapper →
// routing produce the delivery, and the sender delivers it to the partner
// simulator, which must receive the body docs/payloads.md documents. Post-due
// collection runs its scheduler against a clock the test moves.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErpSecretReader } from '../../src/config/secrets.js';
import { resolveWebhook } from '../../src/config/webhooks.js';
import type { Delivery } from '../../src/contracts/delivery.js';
import { buildRequest } from '../../src/delivery/request.js';
import { createLogger } from '../../src/log.js';
import { collectibleAt, collectionEventId, localDay } from '../../src/mapping/collection.js';
import { PostDueCollector } from '../../src/stages/mapper/collector.js';
import { Sender } from '../../src/stages/delivery/sender.js';
import { waitFor } from '../../src/util/wait.js';
import { TRIGGER_EVENT, type TriggerEvent } from '../../src/contracts/trigger-event.js';
import { registeredCodec } from '../../src/kafka/registry.js';
import { createProducer } from '../../src/kafka/client.js';
import type { TopicReader } from '../support/harness.js';
import { erpPool, seedParty, settings, testWebhookName, unique } from '../support/harness.js';
import { PartnerSimulator } from '../support/partner-simulator.js';
import { deliveryReader, one, startPipeline, type Pipeline } from '../support/pipeline.js';

const pool = erpPool();
const reativa = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 2 });
const simulator = new PartnerSimulator();
const sender = new Sender({ connectTimeoutMs: 2000, responseTimeoutMs: 5000, attemptDeadlineMs: 10_000, allowHosts: ['127.0.0.1'], httpsOnly: false });
const CNPJ = '12.123.123/0001-14';
let base = '';
let pipeline: Pipeline;
let deliveries: TopicReader<Delivery>;

beforeAll(async () => {
  base = await simulator.start();
  pipeline = await startPipeline(pool);
  deliveries = deliveryReader(pipeline.kafka, pipeline.registry, pipeline.topics);
  await deliveries.start();
});

afterAll(async () => {
  await Promise.all([deliveries?.stop(), simulator.stop(), sender.close()]);
  await pipeline?.stop();
  await Promise.all([pool.end(), reativa.end()]);
});

const id = async (sql: string, values: unknown[]) => one((await pool.query<{ id: string }>(sql, values)).rows);

/** An integrator of its own, of `version`, and an active webhook of `kind` pointed at the simulator; `triggers` are its Gatilhos rows. */
async function webhookOf(kind: string, version: number, triggers: [string, string][] = []): Promise<{ webhookId: number; integratorId: number; path: string }> {
  const integratorId = await id('INSERT INTO integrators (alias, version) VALUES ($1, $2) RETURNING id', [unique(`${kind}-v${version}`), version]);
  const path = `/${unique(kind)}`;
  const webhookId = await id(
    "INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ($1, $2, 'POST', $3, 5, $4, $5, true) RETURNING id",
    [testWebhookName(kind), integratorId, `${base}${path}`, `${unique('ops')}@example.com`, kind],
  );
  for (const [entity, action] of triggers) await pool.query('INSERT INTO webhook_triggers (webhook_id, entity, action) VALUES ($1, $2, $3)', [webhookId, entity, action]);
  // The webhook is active in routing's view before the test's ERP changes are committed.
  await waitFor(`webhook ${webhookId} active`, async () => {
    await pipeline.routing.live.sync();
    return resolveWebhook(pipeline.routing.live.view, webhookId)?.active === true;
  }, { timeoutMs: 15_000 });
  return { webhookId, integratorId, path };
}

/** Waits for the one delivery to `webhookId` that `which` picks, sends it, and returns what the partner received. */
async function received(webhookId: number, path: string, which: (d: Delivery) => boolean = () => true): Promise<unknown> {
  const [delivery] = await deliveries.waitFor((d) => d.webhookId === webhookId && which(d), 1, 20_000);
  const webhook = resolveWebhook(pipeline.routing.live.view, webhookId)!;
  const { outcome } = await sender.send(buildRequest(delivery!, webhook));
  expect(outcome.kind).toBe('success');
  const request = simulator.requests.filter((r) => r.path === path).at(-1)!;
  expect(request.method).toBe('POST');
  return request.json;
}

/** A timestamptz as Debezium sends it: UTC, with the fractional seconds PostgreSQL keeps (microseconds). */
const at = (utc: string) => expect.stringMatching(new RegExp(`^${utc.replace(/\./g, '\\.')}(\\.0+)?Z$`)) as unknown;

const clientOf = (clientId: number) => ({ Id: clientId, Name: expect.stringMatching(/^client-/) as unknown, TxId: null, Email: 'cliente@example.com', Phone: '(11)3333-4444', CellPhone: '(11)99999-0000' });

describe('the seven trigger kinds', () => {
  it('accounting (Granner): a title payable, for the Gatilhos row titles/insert', async () => {
    const { webhookId, path } = await webhookOf('accounting', 3, [['titles', 'insert']]);
    const { companyId, clientId: supplierId } = await seedParty(pool);
    const natureId = await id("INSERT INTO financial_natures (company_id, code, description, direction) VALUES ($1, '3.1.01', 'Energia elétrica', 'expense') RETURNING id", [companyId]);
    const titleId = await id(
      "INSERT INTO payable_titles (company_id, supplier_id, title_number, issue_date, due_date, amount, financial_nature_id) VALUES ($1, $2, 'P-1', '2026-12-01', '2026-12-10', 500, $3) RETURNING id",
      [companyId, supplierId, natureId],
    );
    expect(await received(webhookId, path)).toEqual({
      CompanyId: companyId,
      CompanyTxId: CNPJ,
      ActionType: 0,
      Title: {
        Id: titleId,
        Type: { Code: 'payable', Label: 'A Pagar' },
        TitleNumber: 'P-1',
        ContractId: null,
        IssueDate: '2026-12-01',
        DueDate: '2026-12-10',
        Amount: '500.00',
        Status: { Code: 'open', Label: 'Em Aberto' },
        FinancialNature: { Id: natureId, Code: '3.1.01', Description: 'Energia elétrica' },
        Person: clientOf(supplierId),
      },
    });
  });

  it('crm (Dinamize): a lead updated', async () => {
    const { webhookId, path } = await webhookOf('crm', 3);
    const { companyId } = await seedParty(pool);
    const name = unique('lead');
    const leadId = await id("INSERT INTO crm_leads (company_id, name, email, stage, source) VALUES ($1, $2, 'lead@example.com', 'new', 'site') RETURNING id", [companyId, name]);
    await pool.query("UPDATE crm_leads SET stage = 'qualified', updated_at = '2026-12-02T10:00:00Z' WHERE id = $1", [leadId]);
    const body = await received(webhookId, path, (d) => d.action === 'update' && (d.body as { Lead?: { Id: number } }).Lead?.Id === leadId);
    expect(body).toEqual({
      CompanyId: companyId,
      CompanyTxId: CNPJ,
      ActionType: 1,
      Lead: { Id: leadId, Name: name, Email: 'lead@example.com', Phone: null, CellPhone: null, Stage: { Code: 'qualified', Label: 'Qualificado' }, Source: 'site', UpdatedAt: at('2026-12-02T10:00:00') },
    });
  });

  it("receivables (Finee, 7AZ): a title issued with a billing type that integrates receivables automatically, to the type's integrator", async () => {
    const { webhookId, integratorId, path } = await webhookOf('receivables', 3);
    const { companyId, clientId } = await seedParty(pool);
    const billingTypeId = await id("INSERT INTO billing_types (title, auto_receivables_integration, integrator_id) VALUES ('Boleto Finee', true, $1) RETURNING id", [integratorId]);
    const titleId = await id(
      "INSERT INTO receivable_titles (company_id, client_id, title_number, issue_date, due_date, amount, billing_type_id) VALUES ($1, $2, 'R-1', '2026-12-01', '2026-12-10', 99.9, $3) RETURNING id",
      [companyId, clientId, billingTypeId],
    );
    expect(await received(webhookId, path)).toEqual({
      CompanyId: companyId,
      CompanyTxId: CNPJ,
      ActionType: 0,
      Title: {
        Id: titleId,
        ContractId: null,
        TitleNumber: 'R-1',
        IssueDate: '2026-12-01',
        DueDate: '2026-12-10',
        Amount: '99.90',
        Status: { Code: 'open', Label: 'Em Aberto' },
        BillingType: { Id: billingTypeId, Title: 'Boleto Finee' },
        Client: clientOf(clientId),
      },
    });
  });

  it('fiscal_document_status (Contel): an NFS-e authorized', async () => {
    const { webhookId, path } = await webhookOf('fiscal_document_status', 3);
    const { companyId, clientId } = await seedParty(pool);
    const number = unique('NF');
    const documentId = await id("INSERT INTO fiscal_documents (company_id, client_id, document_type, number, series, issue_date, amount) VALUES ($1, $2, 'nfse', $3, '1', '2026-12-01', 99.9) RETURNING id", [companyId, clientId, number]);
    await pool.query("UPDATE fiscal_documents SET status = 'authorized', authorization_protocol = 'PROT-1', authorized_at = '2026-12-01T10:00:00Z' WHERE id = $1", [documentId]);
    const body = await received(webhookId, path, (d) => (d.body as { FiscalDocument?: { Id: number } }).FiscalDocument?.Id === documentId);
    expect(body).toEqual({
      CompanyId: companyId,
      CompanyTxId: CNPJ,
      ActionType: 1,
      FiscalDocument: {
        Id: documentId,
        ContractId: null,
        DocumentType: { Code: 'nfse', Label: 'NFS-e' },
        Number: number,
        Series: '1',
        IssueDate: '2026-12-01',
        Amount: '99.90',
        Status: { Code: 'authorized', Label: 'Autorizada' },
        AuthorizationProtocol: 'PROT-1',
        AuthorizedAt: at('2026-12-01T10:00:00'),
        Client: clientOf(clientId),
      },
    });
  });

  it("tenant_solicitation (OZNeutral): a tenant's solicitation in progress, to that tenant", async () => {
    const { webhookId, integratorId, path } = await webhookOf('tenant_solicitation', 3);
    const { companyId, clientId } = await seedParty(pool);
    const protocol = unique('P');
    const solicitationId = await id("INSERT INTO solicitations (company_id, client_id, protocol, subject, integrator_id) VALUES ($1, $2, $3, 'Ativação', $4) RETURNING id", [companyId, clientId, protocol, integratorId]);
    await pool.query("UPDATE solicitations SET status = 'in_progress' WHERE id = $1", [solicitationId]);
    expect(await received(webhookId, path)).toEqual({
      CompanyId: companyId,
      CompanyTxId: CNPJ,
      ActionType: 1,
      Solicitation: {
        Id: solicitationId,
        ContractId: null,
        Protocol: protocol,
        Subject: 'Ativação',
        Status: { Code: 'in_progress', Label: 'Em Andamento' },
        PreviousStatus: { Code: 'open', Label: 'Aberta' },
        IntegratorId: integratorId,
        Client: clientOf(clientId),
      },
    });
  });
});

describe('integrator versions 5, 6 and 8', () => {
  it('version 5 (SAP S/4HANA): the sap kind, a fiscal document by its Gatilhos row', async () => {
    const { webhookId, path } = await webhookOf('sap', 5, [['fiscal_documents', 'insert']]);
    const { companyId, clientId } = await seedParty(pool);
    const number = unique('NF');
    const documentId = await id("INSERT INTO fiscal_documents (company_id, client_id, document_type, number, issue_date, amount) VALUES ($1, $2, 'nfe', $3, '2026-12-01', 10) RETURNING id", [companyId, clientId, number]);
    expect(await received(webhookId, path)).toMatchObject({
      CompanyId: companyId,
      CompanyTxId: CNPJ,
      ActionType: 0,
      FiscalDocument: { Id: documentId, DocumentType: { Code: 'nfe', Label: 'NF-e' }, Number: number, Status: { Code: 'pending', Label: 'Pendente' }, Client: clientOf(clientId) },
    });
  });

  it('version 6 (SAP Business One): the sap kind, a financial movement, with no version block added', async () => {
    const { webhookId, path } = await webhookOf('sap', 6, [['financial_movements', 'insert']]);
    const { companyId } = await seedParty(pool);
    const account = unique('001');
    const movementId = await id("INSERT INTO financial_movements (company_id, bank_account, movement_date, direction, amount, description) VALUES ($1, $2, '2026-12-02', 'credit', 250, 'Recebimento') RETURNING id", [companyId, account]);
    expect(await received(webhookId, path)).toEqual({
      CompanyId: companyId,
      CompanyTxId: CNPJ,
      ActionType: 0,
      FinancialMovement: { Id: movementId, BankAccount: account, MovementDate: '2026-12-02', Direction: { Code: 'credit', Label: 'Crédito' }, Amount: '250.00', FinancialNature: null, Description: 'Recebimento' },
    });
  });

  it('version 8 (post-due collection): an open title past its due date and grace is collected once, and its payment stops the collector', async () => {
    const ZONE = settings.collection.timeZone;
    const { webhookId, integratorId, path } = await webhookOf('post_due_collection', 8);
    await pool.query("INSERT INTO integrator_parameters (integrator_id, name, value) VALUES ($1, 'days_after_due', '2')", [integratorId]);
    const { companyId, clientId } = await seedParty(pool);
    // Due in three days: collectible, with two days of grace, from local midnight six days from now. The test's clock jumps there.
    const today = localDay(Date.now(), ZONE);
    const dueDay = today + 3;
    const due = new Date(dueDay * 86_400_000).toISOString().slice(0, 10);
    const titleId = await id("INSERT INTO receivable_titles (company_id, client_id, title_number, issue_date, due_date, amount) VALUES ($1, $2, 'T-1', CURRENT_DATE, $3, 120) RETURNING id", [companyId, clientId, due]);
    const collectible = collectibleAt(dueDay, 2, ZONE);
    let now = collectible - 60_000;

    const producer = createProducer(pipeline.kafka);
    await producer.connect();
    const codec = await registeredCodec(pipeline.registry, TRIGGER_EVENT, pipeline.topics.triggers);
    const secrets = new ErpSecretReader(settings.erpDatabaseUrl, createLogger('silent'));
    const collector = () =>
      new PostDueCollector(
        {
          store: pipeline.mapper.store,
          secrets,
          pool: reativa,
          produce: async (events: readonly TriggerEvent[]) => {
            await producer.send({ topic: pipeline.topics.triggers, acks: -1, messages: events.map((event) => ({ key: event.aggregateKey, value: codec.encode(event) })) });
          },
        },
        { namespace: pipeline.topics.namespace, timeZone: ZONE, now: () => now },
        createLogger('silent'),
      );
    try {
      // The store holds the title and the integrator's parameter before the clock moves.
      await waitFor('the title in the state store', () => Promise.resolve(pipeline.mapper.store.newestOf('receivable_titles', titleId) !== undefined), { timeoutMs: 15_000 });
      const first = collector();
      const ours = (events: TriggerEvent[]) => events.filter((e) => e.source.primaryKey === JSON.stringify({ id: titleId }));
      expect(ours(await first.tick())).toEqual([]);

      now = collectible + 60_000;
      const [overdue] = ours(await first.tick());
      expect(overdue).toMatchObject({ eventId: collectionEventId({ integratorId, titleId, dueDay }, 'overdue'), kind: 'post_due_collection', action: 'insert', integratorId });
      const body = await received(webhookId, path, (d) => d.eventId === overdue!.eventId);
      expect(body).toEqual({
        CompanyId: companyId,
        CompanyTxId: CNPJ,
        ActionType: 0,
        Collection: { Situation: { Code: 'overdue', Label: 'Vencido' }, DueDate: due, DaysAfterDue: 2, CollectibleSince: new Date(collectible).toISOString() },
        Title: { Id: titleId, ContractId: null, TitleNumber: 'T-1', IssueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) as unknown, DueDate: due, Amount: '120.00', Status: { Code: 'open', Label: 'Em Aberto' }, Client: clientOf(clientId) },
      });

      // Once: checked again, and by a new scheduler (a restart, a standby taking over), nothing is sent twice.
      now += 3600_000;
      expect(ours(await first.tick())).toEqual([]);
      expect(ours(await collector().tick())).toEqual([]);

      // Paid: the collector is told to stop, once.
      await pool.query("UPDATE receivable_titles SET status = 'paid' WHERE id = $1", [titleId]);
      await waitFor('the payment in the state store', () => Promise.resolve(pipeline.mapper.store.newestOf('receivable_titles', titleId)?.row.status === 'paid'), { timeoutMs: 15_000 });
      const [settled] = ours(await collector().tick());
      expect(settled).toMatchObject({ eventId: collectionEventId({ integratorId, titleId, dueDay }, 'settled'), action: 'delete' });
      expect(await received(webhookId, path, (d) => d.eventId === settled!.eventId)).toMatchObject({
        ActionType: 2,
        Collection: { Situation: { Code: 'paid', Label: 'Pago' }, DueDate: due },
        Title: { Id: titleId, Status: { Code: 'paid', Label: 'Pago' } },
      });
      expect(ours(await collector().tick())).toEqual([]);
    } finally {
      await Promise.all([producer.disconnect(), secrets.close()]);
    }
  });

  it('version 8 also takes receivables: a title issued for the collector, as for any receivables integrator', async () => {
    const { webhookId, integratorId, path } = await webhookOf('receivables', 8);
    const { companyId, clientId } = await seedParty(pool);
    const billingTypeId = await id("INSERT INTO billing_types (title, auto_receivables_integration, integrator_id) VALUES ('Boleto', true, $1) RETURNING id", [integratorId]);
    const titleId = await id("INSERT INTO receivable_titles (company_id, client_id, title_number, issue_date, due_date, amount, billing_type_id) VALUES ($1, $2, 'R-8', '2026-12-01', '2026-12-10', 10, $3) RETURNING id", [companyId, clientId, billingTypeId]);
    expect(await received(webhookId, path)).toMatchObject({ CompanyId: companyId, ActionType: 0, Title: { Id: titleId, BillingType: { Id: billingTypeId, Title: 'Boleto' } } });
  });

  it('a standard body is the documented one whatever the version: the electronic signature to a version 1 integrator has no Integrator block', async () => {
    const { webhookId, path } = await webhookOf('standard', 1, [['electronic_signature', 'insert']]);
    const { companyId, clientId } = await seedParty(pool);
    const contractId = await id("INSERT INTO contracts (company_id, client_id, contract_number, stage, status, negotiation_id) VALUES ($1, $2, $3, 'approved', 'normal', '00090189') RETURNING id", [companyId, clientId, unique('C')]);
    await pool.query("INSERT INTO electronic_signatures (contract_id, code, signer_name, email, phone, url, status) VALUES ($1, '34876', 'Teste', 'teste@teste.com.br', '(99)9999-9999', 'https://vds.voalle.app/documents/x', 2)", [contractId]);
    expect(await received(webhookId, path, (d) => d.contractId === contractId)).toEqual({
      CompanyId: companyId,
      CompanyTxId: CNPJ,
      ActionType: 0,
      Contract: {
        ThirdPartyInformation: { NegotiationId: '00090189' },
        ElectronicSignatures: [{ Code: '34876', Name: 'Teste', Email: 'teste@teste.com.br', Phone: '(99)9999-9999', Url: 'https://vds.voalle.app/documents/x', Status: 2 }],
      },
    });
  });
});
