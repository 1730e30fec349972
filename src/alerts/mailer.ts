// The SMTP transport for alert e-mails, from REATIVA_SMTP_URL
// (smtp://[user:pass@]host:port, or smtps:// for implicit TLS), with timeouts
// so a dead mail server never stalls the pipeline.
import nodemailer, { type Transporter } from 'nodemailer';

export function createMailTransport(smtpUrl: string, timeoutMs = 10_000): Transporter {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 25,
    secure,
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
}
