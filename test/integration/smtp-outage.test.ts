// An SMTP outage is waited out, not lost: the digest points at a port where
// nothing listens yet, reports the outage (readiness false), and once a TCP
// proxy to the stack's MailDev opens on that port, the one e-mail arrives.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertDigest, type FailureNotice } from '../../src/alerts/digest.js';
import { createMailTransport } from '../../src/alerts/mailer.js';
import { Health } from '../../src/health/health.js';
import { createLogger } from '../../src/log.js';
import { waitFor } from '../../src/util/wait.js';
import { settings, unique } from '../support/harness.js';
import { mailsTo } from '../support/mailbox.js';

const sockets = new Set<net.Socket>();
let proxy: net.Server | undefined;

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
});

/** A port nothing listens on (asked of the kernel, then released). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Forwards every connection on `port` to the stack's SMTP server. */
async function openProxy(port: number): Promise<net.Server> {
  const smtp = new URL(settings.smtpUrl);
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(smtp.port || 25), smtp.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}

describe('alert e-mails during an SMTP outage', () => {
  it('are retried until the server is back, then sent exactly once', async () => {
    const port = await freePort();
    const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
    const health = new Health(logger);
    const digest = new AlertDigest(createMailTransport(`smtp://127.0.0.1:${port}`, 2000), 'Reativa <reativa@example.com>', 200, logger, health, {
      backoff: { initialMs: 100, maxMs: 1000 },
      closeTimeoutMs: 20_000,
    });
    const to = `${unique('smtp-outage')}@example.com`;
    const webhookId = 900_000_000 + Math.floor(Math.random() * 99_999_999);
    const notice = (contractId: number): FailureNotice => ({
      webhookId, webhookName: 'test-smtp-outage', url: 'https://partner.example.com/hook', emails: [to],
      contractId, eventId: unique('evt'), attempts: 3, lastError: 'HTTP 503', at: new Date(),
    });
    for (const contractId of [1, 2, 3]) digest.add(notice(contractId));

    // The window ends, the send fails (connection refused) and is being waited out.
    await waitFor('the outage to be reported', async () => !health.ready, { timeoutMs: 10_000, intervalMs: 50 });
    expect(health.problems().join('\n')).toContain('SMTP');
    expect(await mailsTo(to)).toHaveLength(0);

    proxy = await openProxy(port);
    const [mail] = await waitFor('the alert e-mail on MailDev', async () => {
      const mails = await mailsTo(to);
      return mails.length > 0 && mails;
    }, { timeoutMs: 30_000 });
    await waitFor('the outage to end', async () => health.ready, { timeoutMs: 10_000, intervalMs: 50 });
    await digest.close();

    expect(mail!.subject).toBe('[Reativa] Webhook "test-smtp-outage": 3 envios atingiram o limite de tentativas');
    expect(mail!.text).toContain('- Contrato 3: 3 tentativas, último erro: HTTP 503');
    // Retries did not send it twice: the digest is closed, so nothing more can come.
    expect(await mailsTo(to)).toHaveLength(1);
  });
});
