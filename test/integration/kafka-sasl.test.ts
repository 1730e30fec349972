// SASL/SCRAM-SHA-512 against the real broker: the embedded stack's second
// listener (REATIVA_KAFKA_SASL_PORT) takes only SCRAM, with a user `stack up`
// made (src/stack/kafka-scram.ts). Reativa's own Kafka client, and a real
// `reativa start` with every stage (the mapper's applier thread included),
// work through it with the right credentials; with a wrong password the start
// stops at once with a message naming the settings, and never prints the password.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka, createProducer } from '../../src/kafka/client.js';
import { createLogger } from '../../src/log.js';
import { loadSettings } from '../../src/settings.js';
import { readScramUser } from '../../src/stack/kafka-scram.js';
import { ensureDeploymentTopics } from '../../src/stages/topics.js';
import { waitFor } from '../../src/util/wait.js';
import { deactivateWebhooks, erpPool, seedParty, settings, testKafka, unique } from '../support/harness.js';
import { contractsWebhook, one, processNamespace, testNamespace, type TestNamespace } from '../support/pipeline.js';
import { ReativaProcess } from '../support/processes.js';

const user = readScramUser(settings.stackDir);
if (!user) throw new Error(`no SCRAM user in ${settings.stackDir}/secrets: run npm run stack:up (it makes the SASL listener's user)`);
const WRONG_PASSWORD = `wrong-${unique('pw')}`;
/** The environment of a client of the SASL listener. */
const saslEnv = (password: string) => ({
  REATIVA_KAFKA_BROKERS: `127.0.0.1:${settings.kafka.saslPort}`,
  REATIVA_KAFKA_SASL_MECHANISM: 'scram-sha-512',
  REATIVA_KAFKA_SASL_USERNAME: user.username,
  REATIVA_KAFKA_SASL_PASSWORD: password,
});
const logger = createLogger('silent');
// A state store of the test's own: the shared default one may be busy with other tests' processes.
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reativa-sasl-state-'));
const pool = erpPool();
const namespaces: TestNamespace[] = [];
const processes: ReativaProcess[] = [];
const received: { path: string; eventId: string }[] = [];
const partner = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received.push({ path: req.url ?? '', eventId: String(req.headers['x-reativa-event-id']) });
    res.end('{"ok":true}');
  });
});

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  await deactivateWebhooks(pool);
  for (const n of namespaces) await n.drop();
  await pool.end();
  await new Promise((resolve) => partner.close(resolve));
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe('Kafka through SASL/SCRAM-SHA-512', () => {
  it("carries Reativa's client with the right credentials: admin, produce, consume in a group", async () => {
    const sasl = loadSettings({ ...saslEnv(user.password) });
    const kafka = createKafka(sasl, logger);
    // The namespace's topics are made through the SASL listener too.
    const namespace = await testNamespace(kafka);
    namespaces.push(namespace);
    const topic = namespace.topics.alerts;
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'through SASL' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `${namespace.topics.namespace}-sasl`, sessionTimeout: 6000 });
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
    await waitFor('the record read back through SASL', async () => values.includes('through SASL'), { timeoutMs: 30_000 });
    await consumer.disconnect();
  });

  it('refuses a wrong password with an error naming the settings to fix', async () => {
    const wrong = loadSettings({ ...saslEnv(WRONG_PASSWORD) });
    const failure = await ensureDeploymentTopics(createKafka(wrong, logger), wrong).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.name).toBe('UnrecoverableError');
    expect(failure?.message).toMatch(/^Kafka refused Reativa's SASL credentials: check REATIVA_KAFKA_SASL_MECHANISM, REATIVA_KAFKA_SASL_USERNAME and REATIVA_KAFKA_SASL_PASSWORD \(the broker said: .*authentication failed/i);
    expect(failure?.message).not.toContain(WRONG_PASSWORD);
  });

  it('runs `reativa start` (every stage) through it, and a start with a wrong password stops at once, saying why', { timeout: 330_000 }, async () => {
    await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(partner.address() as AddressInfo).port}`;
    const own = await processNamespace(testKafka());
    namespaces.push(own.namespace);
    // Port 0: several processes of the tests may run at once, each with its HTTP server.
    const env = { ...own.env, ...saslEnv(user.password), REATIVA_LOG_LEVEL: 'info', REATIVA_HTTP_PORT: '0', REATIVA_STATE_DIR: stateDir };
    const reativa = new ReativaProcess(['--stages', 'mapper,routing,delivery'], env);
    processes.push(reativa);
    // Each wait is bounded well inside the test's timeout, so a failure names the step that did not happen.
    await reativa.waitForLog((l) => l.msg === 'delivery running', 90_000);
    await reativa.waitForLog((l) => l.msg === 'mapper running', 30_000);

    // One change, end to end: the change log, triggers, deliveries and the config topic, all read and written through SASL.
    await pool.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
    const hook = await contractsWebhook(pool, base, { action: 'insert', maxAttempts: 5 });
    const { companyId, clientId } = await seedParty(pool);
    await waitFor(
      'a contract inserted in the ERP at the partner, through SASL',
      async () => {
        if (received.some((r) => r.path === hook.path)) return true;
        // The webhook is live within seconds of being saved: insert until one is delivered.
        one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('SASL')])).rows);
        return false;
      },
      { timeoutMs: 120_000, intervalMs: 3000 },
    );
    expect(await reativa.kill('SIGTERM')).toBe(0);

    const refused = new ReativaProcess(['--stages', 'delivery'], { ...env, ...saslEnv(WRONG_PASSWORD) });
    processes.push(refused);
    let output = '';
    refused.child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    refused.child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await waitFor('the start with a wrong password to exit', async () => refused.child.exitCode ?? undefined, { timeoutMs: 60_000 });
    expect(code).toBe(1);
    expect(output).toMatch(/Kafka refused Reativa's SASL credentials: check REATIVA_KAFKA_SASL_MECHANISM, REATIVA_KAFKA_SASL_USERNAME and REATIVA_KAFKA_SASL_PASSWORD/);
    expect(output).not.toContain(WRONG_PASSWORD);
    expect(output).not.toContain(user.password);
  });
});
