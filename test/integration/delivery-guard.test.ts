// The delivery guard on the real stack, through the whole pipeline (ERP change
// → mapper → routing → delivery): a webhook aimed at Kafka Connect's REST API
// on this machine is refused before any connection, dead-lettered as permanent
// with the reason, and its operators get an alert e-mail; the attempt deadline
// cuts a partner that trickles its answer (retryable), and a 50 MB answer is
// read only up to the 2 KB excerpt (a success); a header the HTTP client
// refuses is dead-lettered at the first attempt, never retried.
//
// Partners here are addressed as http://localhost:<port>, the one exception the
// delivery stage is given: 127.0.0.1 itself is not in its allow list.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AlertDigest } from '../../src/alerts/digest.js';
import { createMailTransport } from '../../src/alerts/mailer.js';
import type { Alert } from '../../src/contracts/alert.js';
import { createLogger } from '../../src/log.js';
import { startDelivery, type RunningDelivery } from '../../src/stages/delivery/runner.js';
import { waitFor } from '../../src/util/wait.js';
import { erpPool, seedParty, settings, testWebhookName, unique, type TopicReader } from '../support/harness.js';
import { mailsTo } from '../support/mailbox.js';
import { jsonReader, one, startPipeline, testDeliveryOptions, type Pipeline } from '../support/pipeline.js';

const pool = erpPool();
const reativaPool = new pg.Pool({ connectionString: settings.reativaDatabaseUrl, max: 4 });
const transport = createMailTransport(settings.smtpUrl, 5000);
const digest = new AlertDigest(transport, 'Reativa <reativa@example.com>', 1500, createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'));
const DEADLINE_MS = 1500;
const BIG = 50 * 1024 * 1024;
let pipeline: Pipeline;
let delivery: RunningDelivery;
let dlq: TopicReader<DeadLetter>;
let alerts: TopicReader<Alert>;

interface DeadLetter {
  readonly webhookId: number;
  readonly contractId: number;
  readonly reason: string;
  readonly attempts: { status: number | null; error: string | null; latencyMs: number }[];
}

/** The test's partner: requests by path, and what it managed to write of a big answer before the client hung up. */
const partner = { requests: [] as string[], bigWritten: 0, bigClosed: false, trickles: 0, tricklesClosed: 0 };
const server = http.createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://partner').pathname;
  partner.requests.push(path);
  req.resume();
  if (path.startsWith('/trickle')) {
    // Headers at once, then one byte every 300 ms: never a gap as long as the response timeout.
    partner.trickles += 1;
    res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => res.write('x'), 300);
    res.on('close', () => {
      clearInterval(timer);
      partner.tricklesClosed += 1;
    });
  } else if (path.startsWith('/big')) {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(BIG) });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (partner.bigWritten < BIG && !res.destroyed) {
        partner.bigWritten += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (partner.bigClosed = true));
    pump();
  } else {
    res.end('{"ok":true}');
  }
});
/** A server on 127.0.0.1 that only counts connections: the guard must never let one through. */
let loopbackConnections = 0;
const loopback = http.createServer((_req, res) => res.end('{"ok":true}'));
loopback.on('connection', () => (loopbackConnections += 1));
let base = '';
let loopbackPort = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
  loopbackPort = (loopback.address() as AddressInfo).port;
  pipeline = await startPipeline(pool);
  delivery = await startDelivery(pipeline.kafka, pipeline.registry, reativaPool, pipeline.routing.live, digest, createLogger('warn'), testDeliveryOptions(pipeline, { delaysMs: [300, 600, 900], minRetryAfterMs: 100 }, { sender: { connectTimeoutMs: 1000, responseTimeoutMs: 1000, attemptDeadlineMs: DEADLINE_MS, allowHosts: ['localhost'], httpsOnly: false } }));
  dlq = jsonReader<DeadLetter>(pipeline.kafka, pipeline.topics.deliveriesDlq);
  alerts = jsonReader<Alert>(pipeline.kafka, pipeline.topics.alerts);
  await Promise.all([dlq.start(), alerts.start()]);
});

afterAll(async () => {
  await delivery?.stop();
  await Promise.all([dlq?.stop(), alerts?.stop()]);
  await pipeline?.stop();
  await digest.close();
  transport.close();
  server.closeAllConnections();
  loopback.closeAllConnections();
  await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => loopback.close(r)), pool.end(), reativaPool.end()]);
});

/** Webhooks the running test made: turned off after it, so the next test's change does not reach them. */
const made: number[] = [];
afterEach(async () => {
  await pool.query('UPDATE webhooks SET active = false WHERE id = ANY($1)', [made.splice(0)]);
});

/** A standard webhook on contract updates, of an integrator of its own. */
async function webhook(options: { url: string; method?: string; maxAttempts?: number; emails?: string; headers?: [string, string][] }): Promise<number> {
  const integratorId = one((await pool.query<{ id: string }>('INSERT INTO integrators (alias, version) VALUES ($1, 3) RETURNING id', [unique('int')])).rows);
  const id = one(
    (
      await pool.query<{ id: string }>(
        "INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active) VALUES ($1, $2, $3, $4, $5, $6, 'standard', true) RETURNING id",
        [testWebhookName('guarda'), integratorId, options.method ?? 'POST', options.url, options.maxAttempts ?? 5, options.emails ?? `${unique('ops')}@example.com`],
      )
    ).rows,
  );
  for (const [name, value] of options.headers ?? []) await pool.query('INSERT INTO webhook_headers (webhook_id, name, value) VALUES ($1, $2, $3)', [id, name, value]);
  await pool.query("INSERT INTO webhook_triggers (webhook_id, entity, action) VALUES ($1, 'contracts', 'update')", [id]);
  made.push(id);
  return id;
}

/** A contract of its own, updated: one delivery to every active webhook of this file. */
async function contractChange(): Promise<number> {
  const { companyId, clientId } = await seedParty(pool);
  const c = one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('C')])).rows);
  await pool.query('UPDATE contracts SET billing_period = 5 WHERE id = $1', [c]);
  return c;
}

async function attemptsLogged(webhookId: number, count: number) {
  return waitFor(
    'the attempt log',
    async () => {
      const { rows } = await reativaPool.query<{ attempt: number; status: number | null; outcome: string; error: string | null; latency_ms: number; response_excerpt: string | null }>(
        'SELECT attempt, status, outcome, error, latency_ms, response_excerpt FROM reativa.delivery_attempts WHERE webhook_id = $1 ORDER BY attempt',
        [webhookId],
      );
      return rows.length >= count ? rows : undefined;
    },
    { timeoutMs: 10_000 },
  );
}

describe('the delivery guard', () => {
  it('never calls Kafka Connect on 127.0.0.1: the delivery is dead-lettered as permanent with the reason, and an alert e-mail is sent', async () => {
    const connect = new URL(settings.connectUrl);
    expect(connect.hostname).toBe('127.0.0.1');
    const recipient = `${unique('guarda')}@example.com`;
    const target = await webhook({ method: 'DELETE', url: `${settings.connectUrl}/connectors`, emails: recipient });
    // Beside it, a server of ours on 127.0.0.1 that counts the connections it gets.
    const probe = await webhook({ url: `http://127.0.0.1:${loopbackPort}/hook` });
    const c = await contractChange();

    const reason = 'falha permanente: endereço recusado: 127.0.0.1 é loopback (REATIVA_DELIVERY_ALLOW_HOSTS)';
    // The first test pays for the fresh pipeline's start (its configuration topic seeded from the state store).
    const [dead] = await dlq.waitFor((d) => d.webhookId === target && d.contractId === c, 1, 60_000);
    expect(dead!.reason).toBe(reason);
    // One attempt, no HTTP status: refused at connect time, not answered (Connect would have said 405).
    expect(dead!.attempts).toHaveLength(1);
    expect(dead!.attempts[0]).toMatchObject({ status: null, error: 'endereço recusado: 127.0.0.1 é loopback (REATIVA_DELIVERY_ALLOW_HOSTS)' });
    const [probed] = await dlq.waitFor((d) => d.webhookId === probe && d.contractId === c, 1, 30_000);
    expect(probed!.reason).toBe(reason);
    expect(loopbackConnections).toBe(0);
    expect((await attemptsLogged(target, 1)).map((r) => [r.outcome, r.status])).toEqual([['permanent', null]]);

    // The connector is still there.
    const res = await fetch(`${settings.connectUrl}/connectors/${settings.connectorName}`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);

    const mail = await waitFor('the alert e-mail', async () => (await mailsTo(recipient))[0], { timeoutMs: 15_000 });
    expect(mail.text).toContain(`Contrato ${c}:`);
    expect(mail.text).toContain('envio impossível como configurado: endereço recusado: 127.0.0.1 é loopback (REATIVA_DELIVERY_ALLOW_HOSTS)');
  });

  it('cuts a partner that trickles its answer at the attempt deadline, and counts it retryable', async () => {
    const hook = await webhook({ url: `${base}/trickle/${unique('t')}`, maxAttempts: 2 });
    const c = await contractChange();

    const [dead] = await dlq.waitFor((d) => d.webhookId === hook && d.contractId === c, 1, 30_000);
    expect(dead!.reason).toBe('limite de tentativas atingido (2)');
    const deadline = `prazo da tentativa esgotado: ${DEADLINE_MS} ms para conectar, receber a resposta e lê-la (REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS)`;
    expect(dead!.attempts.map((a) => a.error)).toEqual([deadline, deadline]);
    for (const a of dead!.attempts) {
      expect(a.latencyMs).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
      expect(a.latencyMs).toBeLessThan(DEADLINE_MS + 1000);
    }
    expect((await attemptsLogged(hook, 2)).map((r) => r.outcome)).toEqual(['retryable', 'retryable']);
    // Each attempt's connection was closed by Reativa.
    await waitFor('the trickling responses closed', async () => partner.tricklesClosed >= 2, { timeoutMs: 5000, intervalMs: 50 });
  });

  it('reads a 50 MB answer only up to the 2 KB excerpt: the attempt succeeds at once', async () => {
    const hook = await webhook({ url: `${base}/big/${unique('b')}` });
    await contractChange();

    const [row] = await attemptsLogged(hook, 1);
    expect(row).toMatchObject({ attempt: 1, status: 200, outcome: 'success', error: null });
    expect(row!.response_excerpt).toBe('a'.repeat(2048));
    expect(row!.latency_ms).toBeLessThan(DEADLINE_MS);
    await waitFor('the big answer closed by Reativa', async () => partner.bigClosed, { timeoutMs: 5000, intervalMs: 50 });
    // What the partner got into socket buffers before Reativa hung up: far from all of it.
    expect(partner.bigWritten).toBeLessThan(BIG / 2);
    expect(partner.requests.filter((p) => p.startsWith('/big'))).toHaveLength(1);
  });

  it('dead-letters a header the HTTP client refuses at the first attempt, never retried; a header with a line break keeps the webhook inactive', async () => {
    const control = await webhook({ url: `${base}/control/${unique('h')}`, maxAttempts: 5, headers: [['X-Token', 'abc\u0007def']] });
    const connection = await webhook({ url: `${base}/connection/${unique('h')}`, maxAttempts: 5, headers: [['Connection', 'keep-alive']] });
    const newline = await webhook({ url: `${base}/newline/${unique('h')}`, maxAttempts: 5, headers: [['X-Token', 'abc\ndef']] });
    const c = await contractChange();

    const invalid = 'falha permanente: requisição inválida (verifique Url e Headers do webhook)';
    const [controlDead] = await dlq.waitFor((d) => d.webhookId === control && d.contractId === c, 1, 30_000);
    expect(controlDead!.reason).toBe(`${invalid}: UND_ERR_INVALID_ARG: invalid X-Token header`);
    expect(controlDead!.attempts).toHaveLength(1);
    const [connectionDead] = await dlq.waitFor((d) => d.webhookId === connection && d.contractId === c, 1, 30_000);
    expect(connectionDead!.reason).toBe(`${invalid}: header "Connection" não pode ser configurado no webhook: é definido pelo cliente HTTP`);
    expect(connectionDead!.attempts).toHaveLength(1);
    // One attempt each, permanent: nothing went to a retry topic.
    expect((await attemptsLogged(control, 1)).map((r) => r.outcome)).toEqual(['permanent']);
    expect((await attemptsLogged(connection, 1)).map((r) => r.outcome)).toEqual(['permanent']);

    // A line break is refused earlier, by the webhook's validation: it stays inactive, with an alert, and gets nothing.
    const [inactive] = await alerts.waitFor((a) => a.type === 'webhook_invalid' && a.webhookId === newline, 1, 30_000);
    expect(inactive!.message).toContain('CR/LF');
    expect(dlq.matching((d) => d.webhookId === newline)).toEqual([]);
    expect(partner.requests.filter((p) => /^\/(control|connection|newline)\//.test(p))).toEqual([]);
  });
});
