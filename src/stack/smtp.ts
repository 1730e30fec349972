// The embedded SMTP server: MailDev keeps every mail it receives (in
// .stack/mail) and shows it on a web page and a JSON API, so operators can see
// Reativa's alert e-mails and tests can assert on them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LaunchSpec } from './processes.js';
import { fetchWithTimeout } from '../util/http.js';

export function smtpLaunchSpec(stackDir: string, smtp: { host: string; port: number }, web: { host: string; port: number }): LaunchSpec {
  // maildev exports only its ESM entry (dist/index.js); its CLI sits beside it.
  const entry = fileURLToPath(import.meta.resolve('maildev'));
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
  const res = await fetchWithTimeout(`${mailWebUrl}/api/healthz`, {}, 2000);
  return res.ok;
}
