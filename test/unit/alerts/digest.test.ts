// The digest over a fake transport: a burst costs O(1) per failure and yields
// one e-mail of 20 listed failures and a count; an SMTP outage is waited out
// (reported once, failures meanwhile kept in their windows); a 5xx is not
// retried; close() gives up after a bounded time and says what it dropped.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AlertDigest, SMTP_DEPENDENCY, type FailureNotice, type MailTransport } from '../../../src/alerts/digest.js';
import { Health } from '../../../src/health/health.js';
import { waitFor } from '../../../src/util/wait.js';

interface Sent { readonly to: string[]; readonly subject: string; readonly text: string }

/** A transport that fails with `failWith` while it is set, and records every attempt and every mail sent. */
function fakeTransport() {
  const fake = {
    failWith: undefined as unknown,
    attempts: 0,
    sent: [] as Sent[],
    sendMail: async (mail: Sent) => {
      fake.attempts++;
      await Promise.resolve();
      if (fake.failWith) throw fake.failWith;
      fake.sent.push(mail);
      return { messageId: String(fake.sent.length) };
    },
  };
  return fake;
}

/** A logger whose lines the test reads. */
function capturedLogger() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { logger, lines, messages: () => lines.map((l) => l.msg) };
}

const notice = (contractId: number, webhookId = 3): FailureNotice => ({
  webhookId, webhookName: 'Watch', url: 'https://apiweb.watch.tv.br/api/voalle/contrato', emails: ['a@x.com', 'b@y.com'],
  contractId, eventId: `evt-${contractId}`, attempts: 15, lastError: 'HTTP 503', at: new Date('2026-11-29T12:00:00Z'),
});
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' });
const fast = { backoff: { initialMs: 5, maxMs: 20 } };
const asTransport = (fake: ReturnType<typeof fakeTransport>) => fake as unknown as MailTransport;

describe('AlertDigest', () => {
  it('takes 100,000 failures of one webhook in well under a second and sends one e-mail listing 20 and counting the rest', async () => {
    const fake = fakeTransport();
    const { logger } = capturedLogger();
    const digest = new AlertDigest(asTransport(fake), 'reativa@example.com', 60_000, logger, undefined, fast);
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) digest.add(notice(i));
    const elapsedMs = performance.now() - started;
    // A guard against the quadratic copy (8.5 s for 40,000), not a benchmark.
    expect(elapsedMs).toBeLessThan(1500);
    await digest.close();

    expect(fake.sent).toHaveLength(1);
    const [mail] = fake.sent;
    expect(mail!.to).toEqual(['a@x.com', 'b@y.com']);
    expect(mail!.subject).toBe('[Reativa] Webhook "Watch": 100000 envios atingiram o limite de tentativas');
    expect(mail!.text.split('\n').filter((l) => l.startsWith('- Contrato '))).toHaveLength(20);
    expect(mail!.text).toContain('- Contrato 0:');
    expect(mail!.text).toContain('- Contrato 19:');
    expect(mail!.text).toContain('… e mais 99980 falhas.');
  });

  it('sends one e-mail per webhook and window, and none for a webhook without addresses', async () => {
    const fake = fakeTransport();
    const digest = new AlertDigest(asTransport(fake), 'reativa@example.com', 60_000, capturedLogger().logger, undefined, fast);
    digest.add(notice(1, 3));
    digest.add(notice(2, 4));
    digest.add(notice(3, 3));
    digest.add({ ...notice(4, 5), emails: [] });
    await digest.close();
    expect(fake.sent.map((m) => m.subject)).toEqual([
      '[Reativa] Webhook "Watch": 2 envios atingiram o limite de tentativas',
      '[Reativa] Webhook "Watch": 1 envio atingiu o limite de tentativas',
    ]);
  });

  it('waits an SMTP outage out: readiness false and one warning meanwhile, later failures kept in their window, all sent once it is back', async () => {
    const fake = fakeTransport();
    const { logger, lines, messages } = capturedLogger();
    const health = new Health(logger);
    const digest = new AlertDigest(asTransport(fake), 'reativa@example.com', 10, logger, health, fast);
    fake.failWith = refused();
    digest.add(notice(1));
    await waitFor('a few failed attempts', async () => fake.attempts >= 3, { timeoutMs: 5000, intervalMs: 5 });
    expect(health.ready).toBe(false);
    expect(health.problems()[0]).toContain(SMTP_DEPENDENCY);

    // The first e-mail is being retried; these open a second window, which ends and waits behind it, still taking failures.
    for (let i = 2; i <= 6; i++) digest.add(notice(i));
    await waitFor('the second window to end', async () => fake.attempts >= 6, { timeoutMs: 5000, intervalMs: 5 });
    for (let i = 7; i <= 11; i++) digest.add(notice(i));
    fake.failWith = undefined;

    await waitFor('both e-mails', async () => fake.sent.length === 2, { timeoutMs: 5000, intervalMs: 5 });
    expect(health.ready).toBe(true);
    expect(fake.sent.map((m) => m.subject)).toEqual([
      '[Reativa] Webhook "Watch": 1 envio atingiu o limite de tentativas',
      '[Reativa] Webhook "Watch": 10 envios atingiram o limite de tentativas',
    ]);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    expect(messages()).toContain(`${SMTP_DEPENDENCY} available again`);
    expect(messages()).not.toContain('alert e-mail could not be sent');
    await digest.close();
  });

  it('does not retry a 5xx reply: logs it, drops that e-mail and stays ready', async () => {
    const fake = fakeTransport();
    const { logger, messages } = capturedLogger();
    const health = new Health(logger);
    const digest = new AlertDigest(asTransport(fake), 'reativa@example.com', 60_000, logger, health, fast);
    fake.failWith = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 No such user"), { code: 'EENVELOPE', responseCode: 550 });
    digest.add(notice(1));
    await digest.close();
    expect(fake.attempts).toBe(1);
    expect(fake.sent).toHaveLength(0);
    expect(messages()).toContain('alert e-mail could not be sent');
    expect(health.ready).toBe(true);
  });

  it('gives up on close after a bounded time while SMTP is down, and logs what it did not send', async () => {
    const fake = fakeTransport();
    const { logger, lines } = capturedLogger();
    const digest = new AlertDigest(asTransport(fake), 'reativa@example.com', 60_000, logger, undefined, { ...fast, closeTimeoutMs: 200 });
    fake.failWith = refused();
    for (let i = 0; i < 7; i++) digest.add(notice(i, 3));
    digest.add(notice(1, 4));
    const started = performance.now();
    await digest.close();
    expect(performance.now() - started).toBeLessThan(2000);
    const dropped = lines.find((l) => l.msg.startsWith('alert e-mails not sent'));
    expect(dropped).toMatchObject({ failures: 8, unsent: [{ webhookId: 3, failures: 7 }, { webhookId: 4, failures: 1 }] });
    expect(fake.sent).toHaveLength(0);
    // Logged once, by the default reporter, not once per retry.
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
  });
});
