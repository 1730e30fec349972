// The embedded SMTP server: MailDev keeps every mail it receives (in
// .stack/mail) and shows it on a web page and a JSON API, so operators can see
// Reativa's alert e-mails and tests can assert on them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LaunchSpec } from './processes.js';
import { StackError } from '../errors/stack-error.js';
import { httpCall } from '../util/http.js';

/**
 * MailDev is a development dependency (a production install has none of it):
 * resolved only when the embedded stack starts it, so every other command
 * works without it, and named plainly when it is missing.
 */
function maildevEntry(): string {
  try {
    // maildev exports only its ESM entry (dist/index.js); its CLI sits beside it.
    return fileURLToPath(import.meta.resolve('maildev'));
  } catch {
    throw new StackError("the embedded stack's SMTP server (MailDev) is a development dependency, not installed here (npm ci --omit=dev): install with npm ci, or run against your own services with REATIVA_STACK=external");
  }
}

export function smtpLaunchSpec(stackDir: string, smtp: { host: string; port: number }, web: { host: string; port: number }): LaunchSpec {
  const entry = maildevEntry();
  const bin = path.join(path.dirname(entry), 'bin', 'maildev.js');
  return {
    name: 'smtp',
    command: process.execPath,
    args: [
      bin,
      '--smtp', String(smtp.port),
      '--ip', smtp.host,
      '--web', String(web.port),
      '--web-ip', web.host,
      '--mail-directory', path.join(stackDir, 'mail'),
      '--max-emails', '5000',
    ],
    cwd: stackDir,
  };
}

export async function smtpHealthy(mailWebUrl: string): Promise<boolean> {
  const res = await httpCall(`${mailWebUrl}/api/healthz`, {}, 2000);
  return res.ok;
}
