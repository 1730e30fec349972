// The embedded SMTP server keeps what it receives: a mail sent with nodemailer
// shows up on MailDev's API with its recipients and Portuguese subject intact.
import { describe, expect, it } from 'vitest';
import { createMailTransport } from '../../src/alerts/mailer.js';
import { waitFor } from '../../src/util/wait.js';
import { settings, unique } from '../support/harness.js';
import { mailsTo } from '../support/mailbox.js';

describe('SMTP', () => {
  it('receives a mail sent with nodemailer', async () => {
    const transport = createMailTransport(settings.smtpUrl, 5000);
    const subject = `Alerta de integração ${unique('teste')}`;
    const [a, b] = [`${unique('a')}@x.com`, `${unique('b')}@y.com`];
    await transport.sendMail({
      from: 'reativa@example.com',
      to: `${a};${b}`.split(';'),
      subject,
      text: 'Limite de tentativas atingido.',
    });
    transport.close();

    const mail = await waitFor(
      'the mail on MailDev',
      async () => (await mailsTo(a)).find((m) => m.subject === subject),
      { timeoutMs: 10_000 },
    );
    expect(mail.to.map((t) => t.address).sort()).toEqual([a, b].sort());
    expect(mail.text).toContain('Limite de tentativas atingido.');
  });
});
