import { describe, expect, it } from 'vitest';
import type { ResolvedWebhook } from '../../../src/config/webhooks.js';
import { VerdictWatcher } from '../../../src/routing/verdicts.js';

const webhook = (problems: string[], enabled = true, badAlertEmails: string[] = []) =>
  ({
    id: 1, name: 'Watch', url: 'https://partner.example/hook?token=s3cr3t', alertEmails: ['ops@x.com'], badAlertEmails, enabled,
    problems: problems.map((message) => ({ code: 'x', message })),
  }) as unknown as ResolvedWebhook;

describe('webhook verdicts', () => {
  it('announce an invalid webhook once its problems have held for the settle time', () => {
    const watcher = new VerdictWatcher(2000);
    const bad = webhook(['Url inválida']);
    expect(watcher.watch([bad], 0)).toEqual([]);
    expect(watcher.unsettled).toBe(true);
    expect(watcher.watch([bad], 1999)).toEqual([]);
    const [change] = watcher.watch([bad], 2000);
    expect(change).toMatchObject({ valid: false, alert: { type: 'webhook_invalid', message: 'Webhook "Watch" inativo: Url inválida' } });
    expect(watcher.watch([bad], 5000)).toEqual([]);
  });

  it('say when it is valid again, and never announce a valid webhook that was never invalid', () => {
    const watcher = new VerdictWatcher(10);
    expect(watcher.watch([webhook([])], 0)).toEqual([]);
    watcher.watch([webhook(['x'])], 0);
    expect(watcher.watch([webhook(['x'])], 10)).toHaveLength(1);
    watcher.watch([webhook([])], 20);
    expect(watcher.watch([webhook([])], 30)).toMatchObject([{ valid: true, alert: { type: 'webhook_valid' } }]);
  });

  it('restart the clock when the problems change before settling, and ignore webhooks switched off', () => {
    const watcher = new VerdictWatcher(10);
    watcher.watch([webhook(['a'])], 0);
    watcher.watch([webhook(['b'])], 9);
    expect(watcher.watch([webhook(['b'])], 15)).toEqual([]);
    expect(watcher.watch([webhook(['b'])], 19)).toHaveLength(1);
    const off = new VerdictWatcher(0);
    off.watch([webhook(['a'], false)], 0);
    expect(off.watch([webhook(['a'], false)], 1)).toEqual([]);
  });

  it('tell the webhook\'s e-mail list too: invalid (every reason), valid again', () => {
    const watcher = new VerdictWatcher(0);
    watcher.watch([webhook(['Url inválida', 'Integrador "x" está inativo'])], 0);
    const [invalid] = watcher.watch([webhook(['Url inválida', 'Integrador "x" está inativo'])], 1);
    expect(invalid?.notice).toMatchObject({ kind: 'webhook_invalid', emails: ['ops@x.com'], url: 'https://partner.example/hook?token=***' });
    expect(invalid?.notice.lastError).toContain('Url inválida; Integrador "x" está inativo');
    watcher.watch([webhook([])], 2);
    const [valid] = watcher.watch([webhook([])], 3);
    expect(valid).toMatchObject({ valid: true, about: 'verdict', notice: { kind: 'webhook_valid' } });
  });

  it('report malformed addresses of the list once, to the others, and keep the webhook valid', () => {
    const watcher = new VerdictWatcher(0);
    const [change] = watcher.watch([webhook([], true, ['not-an-email'])], 0);
    expect(change).toMatchObject({ valid: true, about: 'alert_emails', alert: { type: 'alert_emails_invalid' }, notice: { kind: 'alert_emails_invalid', emails: ['ops@x.com'] } });
    expect(change?.notice.lastError).toContain('"not-an-email"');
    expect(watcher.watch([webhook([], true, ['not-an-email'])], 1)).toEqual([]);
  });
});
