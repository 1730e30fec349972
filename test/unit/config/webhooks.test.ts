import { describe, expect, it } from 'vitest';
import { applyConfigChange, applySecrets } from '../../../src/config/view.js';
import { resolveWebhook } from '../../../src/config/webhooks.js';
import { apply, configChange, configured, webhookRow, WATCH } from '../../support/config-fixtures.js';

describe('webhook validation', () => {
  const problemsOf = (patch: Record<string, unknown>, extra?: (v: ReturnType<typeof configured>) => void) => {
    const view = configured(patch);
    extra?.(view);
    const webhook = resolveWebhook(view, 1)!;
    return { webhook, codes: webhook.problems.map((p) => p.code), messages: webhook.problems.map((p) => p.message) };
  };

  it('accepts a well-formed webhook', () => {
    const { webhook } = problemsOf({});
    expect(webhook.problems).toEqual([]);
    expect(webhook.active).toBe(true);
    expect(webhook.alertEmails).toEqual(['a@x.com', 'b@y.com']);
    expect(webhook.headers).toEqual([{ name: 'Authorization', value: 'Bearer s3cr3t' }]);
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['a URL that is not http(s)', { url: 'ftp://partner.example/hook' }, 'bad_url', /Url inválida/],
    ['a URL that does not parse', { url: 'not a url' }, 'bad_url', /Url inválida/],
    ['an unknown method', { http_method: 'FETCH' }, 'bad_method', /Método HTTP desconhecido/],
    ['max_attempts of 0', { max_attempts: 0 }, 'bad_max_attempts', /maior que 0/],
    ['negative max_attempts', { max_attempts: -3 }, 'bad_max_attempts', /maior que 0/],
    ['a malformed e-mail in the list', { alert_emails: 'a@x.com;not-an-email' }, 'bad_email', /endereço inválido "not-an-email"/],
    ['a standard webhook without trigger rows', { trigger_kind: 'standard' }, 'no_triggers', /sem gatilhos/],
    ['an unknown trigger kind', { trigger_kind: 'everything' }, 'bad_trigger_kind', /Gatilho do Webhook desconhecido/],
    ['no integrator', { integrator_id: null }, 'no_integrator', /Integrador não informado/],
  ];
  it.each(cases)('rejects %s', (_name, patch, code, message) => {
    const { webhook, codes, messages } = problemsOf(patch);
    expect(codes).toContain(code);
    expect(messages.join('\n')).toMatch(message);
    expect(webhook.active).toBe(false);
  });

  it.each([5, 6, 8])('refuses integrator version %i as not supported yet', (version) => {
    const { codes, messages } = problemsOf({}, (view) => {
      view.integrators.set(7, { ...view.integrators.get(7)!, version });
    });
    expect(codes).toEqual(['version_not_supported']);
    expect(messages[0]).toMatch(/not supported yet/);
  });

  it('rejects header names or values with CR or LF', () => {
    for (const header of [{ name: 'X-Evil\r\nHost', value: 'x' }, { name: 'X-Ok', value: 'a\nInjected: yes' }]) {
      const { codes } = problemsOf({}, (view) => apply(view, 'webhook_headers', 'c', { id: 2, webhook_id: 1, ...header }));
      expect(codes).toContain('header_crlf');
    }
  });

  it('keeps a disabled webhook inactive without calling it invalid', () => {
    const { webhook } = problemsOf({ active: false });
    expect(webhook).toMatchObject({ enabled: false, active: false, problems: [] });
  });

  it('accepts standard trigger rows and an inactive integrator is a problem', () => {
    const view = configured({ trigger_kind: 'standard' });
    apply(view, 'webhook_triggers', 'c', { id: 1, webhook_id: 1, entity: 'contracts', action: 'insert' });
    expect(resolveWebhook(view, 1)!.triggers).toEqual(new Set(['contracts:insert']));
    expect(resolveWebhook(view, 1)!.active).toBe(true);
    apply(view, 'integrators', 'u', { ...WATCH, active: false });
    expect(resolveWebhook(view, 1)!.problems.map((p) => p.code)).toEqual(['integrator_inactive']);
  });

  describe('secrets', () => {
    it('are taken from what the ERP answered, and listed for masking', () => {
      const view = configured({ url: 'https://partner.example/hook?token=q-s3cr3t' });
      apply(view, 'webhook_parameters', 'c', { id: 3, webhook_id: 1, name: 'client_secret', value: 'p-s3cr3t' });
      apply(view, 'integrators', 'u', { ...WATCH, token: 'i-s3cr3t' });
      const webhook = resolveWebhook(view, 1)!;
      expect(webhook).toMatchObject({ active: true, secretsPending: false, url: 'https://partner.example/hook?token=q-s3cr3t', parameters: [{ name: 'client_secret', value: 'p-s3cr3t' }] });
      expect(webhook.integrator?.token).toBe('i-s3cr3t');
      expect(webhook.secrets).toEqual(expect.arrayContaining(['q-s3cr3t', 'Bearer s3cr3t', 'p-s3cr3t']));
    });

    it('not read yet leave the webhook waiting: not active, and not invalid (no alert)', () => {
      const view = configured();
      // A new header whose value the ERP has not been asked for yet.
      applyConfigChange(view, 'webhook_headers', configChange('webhook_headers', 'c', { id: 2, webhook_id: 1, name: 'X-Key' }));
      const waiting = resolveWebhook(view, 1)!;
      expect(waiting).toMatchObject({ active: false, secretsPending: true, problems: [] });
      applySecrets(view, 'webhook_headers', 2, { value: 'k' });
      expect(resolveWebhook(view, 1)).toMatchObject({ active: true, secretsPending: false, headers: [{ name: 'Authorization', value: 'Bearer s3cr3t' }, { name: 'X-Key', value: 'k' }] });
    });

    it('a webhook whose URL is not read yet is waiting, not a bad URL', () => {
      const view = configured();
      applyConfigChange(view, 'webhooks', configChange('webhooks', 'c', webhookRow({ id: 2 })));
      expect(resolveWebhook(view, 2)).toMatchObject({ active: false, secretsPending: true, problems: [] });
    });

    it('of rows the ERP no longer has: the webhook is inactive without an alert, a header left out', () => {
      const view = configured();
      applySecrets(view, 'webhook_headers', 1, null);
      expect(resolveWebhook(view, 1)).toMatchObject({ active: true, headers: [] });
      applySecrets(view, 'webhooks', 1, null);
      expect(resolveWebhook(view, 1)).toMatchObject({ active: false, secretsPending: false, problems: [] });
    });

    it('never show in a problem: a bad URL is named masked', () => {
      const { messages } = problemsOf({ url: 'ftp://partner.example/hook?token=abc123' });
      expect(messages.join('\n')).toContain('ftp://partner.example/hook?token=***');
      expect(messages.join('\n')).not.toContain('abc123');
    });
  });
});
