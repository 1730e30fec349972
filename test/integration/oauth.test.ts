// OAuth 2.0 client credentials in a webhook's Parâmetros (the guide's
// grant_type=client_credentials example), end to end: the ERP rows written
// with SQL, the token asked for at the integrator's URL (the partner
// simulator's token endpoint), cached, and sent as Authorization: Bearer;
// the secret never in the webhook's URL, the other parameters in the query.
// Other test processes' pipelines share the ERP, so they deliver our contract
// too, with tokens of their own: assertions count this process's requests.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDigest } from '../../src/alerts/digest.js';
import { createMailTransport } from '../../src/alerts/mailer.js';
import { createLogger } from '../../src/log.js';
import { startDelivery, type RunningDelivery } from '../../src/stages/delivery/runner.js';
import { waitFor } from '../../src/util/wait.js';
import { erpPool, seedParty, settings, unique, type TopicReader } from '../support/harness.js';
import { PartnerSimulator, type ReceivedRequest } from '../support/partner-simulator.js';
import { contractsWebhook, jsonReader, one, startPipeline, testDeliveryOptions, type Pipeline } from '../support/pipeline.js';

const SECRET = `cl13nt-s3cr3t-${unique('x')}`;
const pool = erpPool();
const reativaPool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 4 });
const partner = new PartnerSimulator();
const transport = createMailTransport(settings.smtpUrl, 5000);
// Everything the processes log, to check the secret never reaches a log line.
const logged: string[] = [];
const logger = createLogger('debug', 'reativa', { write: (line: string) => logged.push(line) });
const digest = new AlertDigest(transport, 'Reativa <reativa@example.com>', 1000, logger);
let base = '';
let pipeline: Pipeline;
let delivery: RunningDelivery;
let dlq: TopicReader<Record<string, unknown>>;

beforeAll(async () => {
  base = await partner.start();
  pipeline = await startPipeline(pool, { logger, notices: digest });
  delivery = await startDelivery(pipeline.kafka, pipeline.registry, reativaPool, pipeline.routing.live, digest, logger, testDeliveryOptions(pipeline, { delaysMs: [300, 600], minRetryAfterMs: 100 }));
  dlq = jsonReader<Record<string, unknown>>(pipeline.kafka, pipeline.topics.deliveriesDlq);
  await dlq.start();
});

afterAll(async () => {
  await delivery?.stop();
  await dlq?.stop();
  await pipeline?.stop();
  await partner.stop();
  await digest.close();
  transport.close();
  await Promise.all([pool.end(), reativaPool.end()]);
});

/** A contracts webhook whose Parâmetros hold client credentials, its integrator's URL the token endpoint. */
async function oauthWebhook(clientSecret: string): Promise<{ id: number; path: string; tokenPath: string }> {
  const hook = await contractsWebhook(pool, base, { action: 'update', maxAttempts: 2 });
  const tokenPath = `/${unique('oauth')}/token`;
  await pool.query('UPDATE integrators SET url = $2 WHERE id = (SELECT integrator_id FROM webhooks WHERE id = $1)', [hook.id, `${base}${tokenPath}`]);
  const parameters: [string, string][] = [['grant_type', 'client_credentials'], ['client_id', 'provedor'], ['client_secret', clientSecret], ['empresa', '12']];
  for (const [name, value] of parameters) await pool.query('INSERT INTO webhook_parameters (webhook_id, name, value) VALUES ($1, $2, $3)', [hook.id, name, value]);
  return { ...hook, tokenPath };
}

async function contractUpdates(count: number): Promise<number> {
  const { companyId, clientId } = await seedParty(pool);
  const id = one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('C')])).rows);
  for (let i = 1; i <= count; i++) await pool.query('UPDATE contracts SET billing_period = $2 WHERE id = $1', [id, i]);
  return id;
}

describe('OAuth 2.0 client credentials in Parâmetros', () => {
  it('gets a token from the integrator URL once, sends it as Bearer, keeps the secret out of the URL and the logs', async () => {
    const hook = await oauthWebhook(SECRET);
    const endpoint = partner.tokenEndpoint(hook.tokenPath, { clientId: 'provedor', clientSecret: SECRET, expiresIn: 3600 });
    // The configuration (parameters, the integrator's URL) reaches routing before the changes do.
    await waitFor('the webhook to be active', async () => (await pipeline.routing.live.sync(), pipeline.routing.live.webhooks().find((w) => w.id === hook.id && w.active)), { timeoutMs: 30_000 });
    const contractId = await contractUpdates(3);

    // Ours only: a standard webhook on contract updates also receives other tests' contracts (and, from
    // pipelines of other test processes sharing the ERP, requests made with tokens of their own).
    const ours = (r: ReceivedRequest) => r.path === hook.path && (r.json as { Contract?: { Id: number } } | null)?.Contract?.Id === contractId;
    const received = await waitFor('three deliveries', async () => {
      const at = partner.requests.filter(ours);
      return at.length >= 3 && at;
    }, { timeoutMs: 20_000 });
    // Each request carries a token the endpoint issued; this process asked for one, once: cached until it expires.
    const issued = (r: ReceivedRequest) => endpoint.issued.map((t) => `Bearer ${t}`).includes(String(r.headers.authorization));
    expect(received.every(issued)).toBe(true);
    expect(delivery.tokenRequests()).toBe(1);
    for (const r of received) {
      expect(r.query.get('empresa')).toBe('12');
      expect([...r.query.keys()]).toEqual(['empresa']);
    }
    const tokenRequests = partner.requests.filter((r) => r.path === hook.tokenPath);
    expect(tokenRequests.length).toBeGreaterThanOrEqual(1);
    for (const t of tokenRequests) {
      expect(t.method).toBe('POST');
      expect(t.headers['content-type']).toBe('application/x-www-form-urlencoded');
      // The secret travels in the form, never in a URL.
      expect(t.query.toString()).toBe('');
      expect(new URLSearchParams(t.body).get('client_secret')).toBe(SECRET);
    }
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('')).not.toContain(SECRET);
    for (const token of endpoint.issued) expect(logged.join('')).not.toContain(`"${token}"`);
  });

  it('dead-letters a delivery whose credentials the token endpoint refuses, with the reason and without the secret', async () => {
    const wrong = `wrong-${unique('s')}`;
    const hook = await oauthWebhook(wrong);
    partner.tokenEndpoint(hook.tokenPath, { clientId: 'provedor', clientSecret: SECRET });
    await waitFor('the webhook to be active', async () => (await pipeline.routing.live.sync(), pipeline.routing.live.webhooks().find((w) => w.id === hook.id && w.active)), { timeoutMs: 30_000 });
    const contractId = await contractUpdates(1);
    const [letter] = await dlq.waitFor((l) => l.webhookId === hook.id && l.contractId === contractId, 1, 20_000);
    expect(String(letter!.reason)).toContain('token OAuth 2.0 recusado pelo servidor de autorização (HTTP 401, invalid_client)');
    expect(JSON.stringify(letter)).not.toContain(wrong);
    expect(partner.requests.some((r) => r.path === hook.path)).toBe(false);
  });
});
