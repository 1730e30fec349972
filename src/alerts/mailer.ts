// The SMTP transport for alert e-mails, from REATIVA_SMTP_URL
// (smtp://[user:pass@]host:port, or smtps:// for implicit TLS), with timeouts
// so a dead mail server never stalls the pipeline.
//
// nodemailer is loaded with the first e-mail, not with the process: alerts are
// rare, and a routing or delivery process that sends none keeps it (about
// 5 MB of heap) out of memory. The URL is read when the transport is made, so
// a bad one still fails at start.
import { createRequire } from 'node:module';
import type nodemailer from 'nodemailer';
import type { SendMailOptions, SentMessageInfo, Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

export interface MailTls {
  /** PEM of a private CA the server's certificate is checked against (REATIVA_SMTP_TLS_CA). */
  readonly ca?: string | undefined;
}

/** Credentials over smtp:// go only through STARTTLS, except to this machine (the embedded MailDev). */
export const requiresStartTls = (url: URL): boolean =>
  url.protocol === 'smtp:' && url.username !== '' && !['localhost', '127.0.0.1', '::1', '[::1]'].includes(url.hostname.toLowerCase());

/** What sends the alert e-mails: nodemailer's transport, made on the first e-mail. */
export interface MailTransport {
  sendMail(mail: SendMailOptions): Promise<SentMessageInfo>;
  /** Closes the transport's connections, if it ever made one. */
  close(): void;
}

const requireFromHere = createRequire(import.meta.url);

export function createMailTransport(smtpUrl: string, timeoutMs = 10_000, tls: MailTls = {}): MailTransport {
  const options = transportOptions(smtpUrl, timeoutMs, tls);
  let transporter: Transporter | undefined;
  const made = (): Transporter => (transporter ??= (requireFromHere('nodemailer') as typeof nodemailer).createTransport(options));
  return {
    sendMail: (mail) => made().sendMail(mail),
    close: () => transporter?.close(),
  };
}

function transportOptions(smtpUrl: string, timeoutMs: number, tls: MailTls): SMTPTransport.Options {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
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
  };
}
