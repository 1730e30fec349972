// MailDev, as tests read it: only the mails addressed to a test's own unique
// address, filtered by MailDev itself, so a used stack's thousands of mails
// never slow a test down or answer for it.
import { settings } from './harness.js';

export interface StoredMail {
  readonly subject: string;
  readonly to: readonly { address: string }[];
  readonly text: string;
}

export async function mailsTo(address: string): Promise<StoredMail[]> {
  const res = await fetch(`${settings.mailWebUrl}/api/email?to.address=${encodeURIComponent(address)}`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`MailDev: HTTP ${res.status}`);
  return (await res.json()) as StoredMail[];
}
