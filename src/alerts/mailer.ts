// The SMTP transport for alert e-mails, from REATIVA_SMTP_URL
// (smtp://[user:pass@]host:port, or smtps:// for implicit TLS), with timeouts
// so a dead mail server never stalls the pipeline.
import nodemailer, { type Transporter } from 'nodemailer';

export interface MailTls {
  /** PEM of a private CA the server's certificate is checked against (REATIVA_SMTP_TLS_CA). */
  readonly ca?: string | undefined;
}

/** Credentials over smtp:// go only through STARTTLS, except to this machine (the embedded MailDev). */
export const requiresStartTls = (url: URL): boolean =>
  url.protocol === 'smtp:' && url.username !== '' && !['localhost', '127.0.0.1', '::1', '[::1]'].includes(url.hostname.toLowerCase());

export function createMailTransport(smtpUrl: string, timeoutMs = 10_000, tls: MailTls = {}): Transporter {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 25,
    secure,
    // A password is never sent in clear text: without TLS the server is refused (nodemailer requireTLS).
    requireTLS: requiresStartTls(url),
    ...(tls.ca ? { tls: { ca: tls.ca } } : {}),
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
}
