// The demo's ERP: configures three partners as an operator would (Watch
// Brasil and DIRECTV GO through their presets, with `webhooks add`'s writer;
// the standard integration with its Gatilhos rows), the products the demo
// sells, and then writes what activity.ts draws, each action in the
// transactions the ERP's screens would commit. It connects as the embedded
// stack's ERP superuser: it stands for the ERP itself, as the tests do.
import type pg from 'pg';
import { addWebhook } from '../config/erp-writer.js';
import { DIRECTV_BASIC_PACKAGE, findPreset } from '../presets/presets.js';
import type { DemoAction, DemoProduct } from './activity.js';

/** The demo's default namespace: its topics and groups, apart from a Reativa the operator runs. */
export const DEMO_NAMESPACE = 'reativa-demo';

/**
 * How the webhooks of a demo are named ("Demo: Watch Brasil"): found again on
 * the next run, turned off when it ends. A demo in another namespace (a test's)
 * has webhooks of its own, named after it.
 */
export const demoWebhookPrefix = (namespace: string) => (namespace === DEMO_NAMESPACE ? 'Demo: ' : `${namespace}: `);

/** Where the demo's alert e-mails go (MailDev keeps every message; example.com reaches nobody). */
export const DEMO_ALERT_EMAILS = 'noc@provedor-demo.example.com;suporte@provedor-demo.example.com';

const STANDARD_TRIGGERS: readonly (readonly [string, string])[] = [
  ['contracts', 'insert'],
  ['contracts', 'update'],
  ['title_issuance', 'insert'],
  ['title_receipt', 'insert'],
  ['electronic_signature', 'insert'],
  ['electronic_signature', 'update'],
];

const PRICES: Readonly<Record<DemoProduct, number>> = { internet: 99.9, watch: 19.9, 'directv-basic': 39.9, 'directv-hbo': 29.9 };

export interface DemoSetup {
  readonly companyId: number;
  /** The service product row of each product the demo sells. */
  readonly products: Readonly<Record<DemoProduct, number>>;
  /** The demo's webhooks, by partner path. */
  readonly webhooks: readonly { readonly id: number; readonly name: string; readonly path: string }[];
}

const one = (rows: { id: string }[]) => Number(rows[0]!.id);

async function findOrInsert(pool: pg.Pool, find: string, findValues: unknown[], insert: string, insertValues: unknown[]): Promise<number> {
  const found = await pool.query<{ id: string }>(find, findValues);
  if (found.rows[0]) return Number(found.rows[0].id);
  return one((await pool.query<{ id: string }>(insert, insertValues)).rows);
}

/**
 * Turns on the ERP's webhooks ("Utilizar Webhook", "Utiliza Streaming") and
 * makes (or points again at `receiverUrl`) the demo's three webhooks and its
 * products. Safe to run again: rows are found by name.
 */
export async function setUpDemo(pool: pg.Pool, adminDatabaseUrl: string, receiverUrl: string, prefix: string): Promise<DemoSetup> {
  await pool.query("INSERT INTO erp_parameters (key, value) VALUES ('use_webhooks', 'true'), ('use_streaming', 'true') ON CONFLICT (key) DO UPDATE SET value = 'true'");
  const companyId = await findOrInsert(
    pool,
    'SELECT id FROM companies WHERE name = $1',
    ['Provedor Demo'],
    "INSERT INTO companies (name, tx_id) VALUES ('Provedor Demo', '12.345.678/0001-95') RETURNING id",
    [],
  );

  const webhooks: { id: number; name: string; path: string }[] = [];
  const presetWebhook = async (presetId: 'watch-brasil' | 'directv-go', path: string, extra: { idp?: string }) => {
    const preset = findPreset(presetId)!;
    const name = `${prefix}${preset.partner}`;
    const url = `${receiverUrl}/${path}`;
    const existing = await pool.query<{ id: string }>('SELECT id FROM webhooks WHERE name = $1 ORDER BY id LIMIT 1', [name]);
    let id: number;
    if (existing.rows[0]) {
      id = Number(existing.rows[0].id);
      await pool.query('UPDATE webhooks SET url = $2, active = true, activated_at = now() WHERE id = $1', [id, url]);
    } else {
      // Through the presets, as `reativa webhooks add` writes them (the writer role).
      id = (await addWebhook(adminDatabaseUrl, { preset, name, token: `demo-${presetId}-token`, emails: DEMO_ALERT_EMAILS, url, ...extra })).webhookId;
    }
    webhooks.push({ id, name, path });
    const integrator = await pool.query<{ integrator_id: string }>('SELECT integrator_id FROM webhooks WHERE id = $1', [id]);
    return Number(integrator.rows[0]!.integrator_id);
  };
  const watch = await presetWebhook('watch-brasil', 'watch-brasil', {});
  const directv = await presetWebhook('directv-go', 'directv-go', { idp: 'provedor-demo' });

  // The standard integration (Integração Padrão): an integrator of its own and its Gatilhos.
  const standardName = `${prefix}Integração Padrão`;
  const standardIntegrator = await findOrInsert(
    pool,
    'SELECT id FROM integrators WHERE alias = $1',
    ['demo-integracao-padrao'],
    "INSERT INTO integrators (alias, description, integration_type, version, active) VALUES ('demo-integracao-padrao', 'Integração Padrão (demo)', 'reactive', 1, true) RETURNING id",
    [],
  );
  const standardUrl = `${receiverUrl}/standard`;
  const existing = await pool.query<{ id: string }>('SELECT id FROM webhooks WHERE name = $1 ORDER BY id LIMIT 1', [standardName]);
  let standardId: number;
  if (existing.rows[0]) {
    standardId = Number(existing.rows[0].id);
    await pool.query('UPDATE webhooks SET url = $2, active = true, activated_at = now() WHERE id = $1', [standardId, standardUrl]);
  } else {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      standardId = one(
        (
          await client.query<{ id: string }>(
            "INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active, activated_at) VALUES ($1, $2, 'POST', $3, 5, $4, 'standard', true, now()) RETURNING id",
            [standardName, standardIntegrator, standardUrl, DEMO_ALERT_EMAILS],
          )
        ).rows,
      );
      for (const [entity, action] of STANDARD_TRIGGERS) await client.query('INSERT INTO webhook_triggers (webhook_id, entity, action) VALUES ($1, $2, $3)', [standardId, entity, action]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
  webhooks.push({ id: standardId, name: standardName, path: 'standard' });

  const product = (title: string, integratorId: number | null, code: string | null) =>
    findOrInsert(
      pool,
      'SELECT id FROM service_products WHERE title = $1',
      [title],
      'INSERT INTO service_products (title, uses_streaming, integrator_id, integration_code) VALUES ($1, $2, $3, $4) RETURNING id',
      [title, integratorId !== null, integratorId, code],
    );
  const products: Record<DemoProduct, number> = {
    internet: await product('Demo Internet 500 Mega', null, null),
    watch: await product('Demo Watch Brasil Premium', watch, 'watch-premium'),
    'directv-basic': await product('Demo DIRECTV GO Básico', directv, DIRECTV_BASIC_PACKAGE),
    'directv-hbo': await product('Demo DIRECTV GO HBO', directv, 'urn:tve:hbo'),
  };
  return { companyId, products, webhooks };
}

/** Turns the demo's webhooks off, so nothing is sent to a receiver that is gone. */
export async function tearDownDemo(pool: pg.Pool, prefix: string): Promise<number> {
  const { rowCount } = await pool.query("UPDATE webhooks SET active = false WHERE active AND starts_with(name, $1)", [prefix]);
  return rowCount ?? 0;
}

/** What an action made that the demo needs later: a contract's id, the titles of a billing run. */
export interface Made {
  contractId?: number;
  titles?: { contractId: number; titleId: number }[];
}

async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Writes one action as the ERP would. */
export async function applyAction(pool: pg.Pool, setup: DemoSetup, action: DemoAction): Promise<Made> {
  switch (action.kind) {
    case 'new_contract': {
      // Registered with its services while in approval, then approved: the partners hear of both.
      const contractId = await transaction(pool, async (c) => {
        const { client } = action;
        const personId = one(
          (
            await c.query<{ id: string }>('INSERT INTO people (name, tx_id, email, phone, cell_phone, company_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id', [
              client.name,
              client.txId,
              client.email,
              client.phone,
              client.cellPhone,
              setup.companyId,
            ])
          ).rows,
        );
        const id = one(
          (await c.query<{ id: string }>("INSERT INTO contracts (company_id, client_id, contract_number, stage, status, billing_period) VALUES ($1, $2, $3, 'in_approval', 'normal', 10) RETURNING id", [setup.companyId, personId, action.number]))
            .rows,
        );
        for (const p of action.products) await c.query('INSERT INTO contract_services (contract_id, service_product_id) VALUES ($1, $2)', [id, setup.products[p]]);
        return id;
      });
      await pool.query("UPDATE contracts SET stage = 'approved', updated_at = now() WHERE id = $1", [contractId]);
      return { contractId };
    }
    case 'add_service':
      await pool.query('INSERT INTO contract_services (contract_id, service_product_id) VALUES ($1, $2)', [action.contractId, setup.products[action.product]]);
      return {};
    case 'swap_service':
      await transaction(pool, async (c) => {
        await c.query('DELETE FROM contract_services WHERE id = (SELECT id FROM contract_services WHERE contract_id = $1 AND service_product_id = $2 ORDER BY id LIMIT 1)', [action.contractId, setup.products[action.remove]]);
        await c.query('INSERT INTO contract_services (contract_id, service_product_id) VALUES ($1, $2)', [action.contractId, setup.products[action.add]]);
      });
      return {};
    case 'suspend':
    case 'reactivate':
      await pool.query('UPDATE contracts SET status = $2, updated_at = now() WHERE id = $1', [action.contractId, action.kind === 'suspend' ? 'suspended' : 'normal']);
      return {};
    case 'billing_run': {
      // One transaction for the whole run, as the ERP's Faturamento commits it.
      const titles = await transaction(pool, async (c) => {
        const made: { contractId: number; titleId: number }[] = [];
        for (const contractId of action.contractIds) {
          const { rows } = await c.query<{ id: string }>(
            `INSERT INTO receivable_titles (company_id, contract_id, client_id, title_number, issue_date, due_date, amount)
             SELECT company_id, id, client_id, $2, $3, $4,
                    (SELECT coalesce(sum(CASE p.title WHEN 'Demo Internet 500 Mega' THEN $5::numeric WHEN 'Demo Watch Brasil Premium' THEN $6 WHEN 'Demo DIRECTV GO Básico' THEN $7 ELSE $8 END), $5)
                       FROM contract_services s JOIN service_products p ON p.id = s.service_product_id WHERE s.contract_id = contracts.id)
               FROM contracts WHERE id = $1 RETURNING id`,
            [contractId, `T-${contractId}-${Date.now().toString(36)}`, today(), inDays(10), PRICES.internet, PRICES.watch, PRICES['directv-basic'], PRICES['directv-hbo']],
          );
          if (rows[0]) made.push({ contractId, titleId: Number(rows[0].id) });
        }
        return made;
      });
      return { titles };
    }
    case 'payment':
      await transaction(pool, async (c) => {
        await c.query("INSERT INTO title_receipts (receivable_title_id, receipt_date, amount_paid, payment_method) SELECT id, $2, amount, 'pix' FROM receivable_titles WHERE id = $1", [action.titleId, today()]);
        await c.query("UPDATE receivable_titles SET status = 'paid' WHERE id = $1", [action.titleId]);
      });
      return {};
    case 'signature': {
      // Sent for signature (Aguardando Assinaturas), then signed (Concluído).
      const code = `ASS-${action.contractId}-${Date.now().toString(36)}`;
      const id = one(
        (
          await pool.query<{ id: string }>(
            "INSERT INTO electronic_signatures (contract_id, code, signer_name, email, url, status) VALUES ($1, $2, $3, 'assinante@example.com', $4, 2) RETURNING id",
            [action.contractId, code, action.signer, `https://assinatura.example.com/${code}`],
          )
        ).rows,
      );
      await pool.query('UPDATE electronic_signatures SET status = 3 WHERE id = $1', [id]);
      return {};
    }
  }
}
