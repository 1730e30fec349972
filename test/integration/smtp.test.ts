// The embedded SMTP server keeps what it receives: a mail sent with nodemailer
// shows up on MailDev's API with its recipients and Portuguese subject intact.
import { describe, expect, it } from 'vitest';
import { createMailTransport } from '../../src/alerts/mailer.js';
import { waitFor } from '../../src/util/wait.js';
import { settings, unique } from '../support/harness.js';

interface StoredMail {
  subject: string;
  to: { address: string }[];
  text?: string;
}

describe('SMTP', () => {
  it('receives a mail sent with nodemailer', async () => {
    const transport = createMailTransport(settings.smtpUrl, 5000);
    const subject = `Alerta de integração ${unique('teste')}`;
    await transport.sendMail({
      from: 'reativa@example.com',
      to: 'a@x.com;b@y.com'.split(';'),
      subject,
      text: 'Limite de tentativas atingido.',
    });
    transport.close();

    const mail = await waitFor(
      'the mail on MailDev',
      async () => {
        const res = await fetch(`${settings.mailWebUrl}/api/email`, { signal: AbortSignal.timeout(2000) });
        const mails = (await res.json()) as StoredMail[];
        return mails.find((m) => m.subject === subject);
      },
      { timeoutMs: 10_000 },
    );
    expect(mail.to.map((t) => t.address).sort()).toEqual(['a@x.com', 'b@y.com']);
    expect(mail.text).toContain('Limite de tentativas atingido.');
  });
});
