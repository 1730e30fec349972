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
    ['a standard webhook without trigger rows', { trigger_kind: 'standard' }, 'no_triggers', /sem gatilhos/],
    ['an unknown trigger kind', { trigger_kind: 'everything' }, 'bad_trigger_kind', /Gatilho do Webhook desconhecido/],
    ['no integrator', { integrator_id: null }, 'no_integrator', /Integrador não informado/],
  ];
  it('skips a malformed e-mail in the list and keeps the webhook active (the address is reported, not a reason to stop)', () => {
    const { webhook, codes } = problemsOf({ alert_emails: 'a@x.com;not-an-email; b@y.com' });
    expect(codes).toEqual([]);
    expect(webhook.active).toBe(true);
    expect(webhook.alertEmails).toEqual(['a@x.com', 'b@y.com']);
    expect(webhook.badAlertEmails).toEqual(['not-an-email']);
  });

  it.each(cases)('rejects %s', (_name, patch, code, message) => {
    const { webhook, codes, messages } = problemsOf(patch);
    expect(codes).toContain(code);
    expect(messages.join('\n')).toMatch(message);
    expect(webhook.active).toBe(false);
  });

  describe('integrator versions', () => {
    const withVersion = (version: number, patch: Record<string, unknown>, rows: { entity: string; action: string }[] = []) =>
      problemsOf(patch, (view) => {
        view.integrators.set(7, { ...view.integrators.get(7)!, version });
        rows.forEach((r, i) => apply(view, 'webhook_triggers', 'c', { id: 50 + i, webhook_id: 1, ...r }));
      });

    it.each([
      [5, 'sap', [{ entity: 'titles', action: 'insert' }]],
      [6, 'sap', [{ entity: 'people', action: 'update' }]],
      [8, 'post_due_collection', []],
      [8, 'receivables', []],
    ] as const)('accepts version %i with the %s kind', (version, kind, rows) => {
      const { webhook } = withVersion(version, { trigger_kind: kind }, [...rows]);
      expect(webhook.problems).toEqual([]);
      expect(webhook.active).toBe(true);
    });

    it.each([
      [5, 'contract_service_change', /Alteração de Serviço \(Contrato\)".*Versão 5 \(SAP S\/4Hana - Megawork\).*Versão 1, Versão 2 \(MVNO\), Versão 3 ou Versão 4 \(STFC\)/],
      [8, 'standard', /Integração Padrão".*Versão 8 \(Cobrança Após o Vencimento\)/],
      [3, 'sap', /Integração SAP".*Versão 3\).*Versão 5 \(SAP S\/4Hana - Megawork\) ou Versão 6 \(SAP Business One - G2\)/],
      [1, 'post_due_collection', /Cobrança Após o Vencimento".*use um integrador Versão 8/],
    ] as const)('refuses version %i for a %s webhook, naming the versions that fit', (version, kind, message) => {
      const { webhook, codes, messages } = withVersion(version, { trigger_kind: kind }, kind === 'standard' || kind === 'sap' ? [{ entity: kind === 'sap' ? 'titles' : 'contracts', action: 'insert' }] : []);
      expect(codes).toEqual(['version_kind_mismatch']);
      expect(messages[0]).toMatch(message);
      expect(webhook.active).toBe(false);
    });

    it.each([7, 9, 0])('refuses version %i, which the ERP does not offer', (version) => {
      const { webhook, codes, messages } = withVersion(version, {});
      expect(codes).toEqual(['version_unknown']);
      expect(messages[0]).toMatch(new RegExp(`Versão ${version} do integrador "watchbrasil_v2" desconhecida: o ERP oferece as versões 1, 2 \\(MVNO\\), 3, 4 \\(STFC\\), 5 .* e 8 \\(Cobrança Após o Vencimento\\)`));
      expect(webhook.active).toBe(false);
    });

    it('refuses a sap webhook whose Gatilhos name a standard entity', () => {
      const { codes } = withVersion(5, { trigger_kind: 'sap' }, [{ entity: 'contracts', action: 'insert' }]);
      expect(codes).toEqual(['bad_trigger_row', 'no_triggers']);
    });

    it('refuses a post-due collector whose days_after_due is not a whole number of days, without quoting it', () => {
      const { codes, messages } = withVersion(8, { trigger_kind: 'post_due_collection' }, []);
      expect(codes).toEqual([]);
      const bad = problemsOf({ trigger_kind: 'post_due_collection' }, (view) => {
        view.integrators.set(7, { ...view.integrators.get(7)!, version: 8 });
        apply(view, 'integrator_parameters', 'c', { id: 90, integrator_id: 7, name: 'days_after_due', value: 'três' });
      });
      expect(bad.codes).toEqual(['bad_days_after_due']);
      expect(bad.messages.join('\n')).not.toContain('três');
      expect(messages).toEqual([]);
    });
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

  describe('OAuth 2.0 client credentials in Parâmetros', () => {
    const withParameters = (integratorUrl: string | null, parameters: [string, string][], headers = false) =>
      problemsOf({}, (view) => {
        apply(view, 'integrators', 'u', { ...WATCH, url: integratorUrl });
        parameters.forEach(([name, value], i) => apply(view, 'webhook_parameters', 'c', { id: 60 + i, webhook_id: 1, name, value }));
        if (!headers) applySecrets(view, 'webhook_headers', 1, null);
      });
    const CREDENTIALS: [string, string][] = [['grant_type', 'client_credentials'], ['client_id', 'provedor'], ['client_secret', 'cl13nt-s3cr3t'], ['empresa', '12']];

    it("get a token from the integrator's URL, the secret kept among the webhook's secrets", () => {
      const { webhook, codes } = withParameters('https://auth.partner.example/oauth/token', CREDENTIALS);
      expect(codes).toEqual([]);
      expect(webhook.active).toBe(true);
      expect(webhook.oauth).toMatchObject({ tokenUrl: 'https://auth.partner.example/oauth/token', form: [['grant_type', 'client_credentials'], ['client_id', 'provedor'], ['client_secret', 'cl13nt-s3cr3t']] });
      expect(webhook.secrets).toContain('cl13nt-s3cr3t');
    });

    it('make the webhook invalid, with the reason, without a token URL, with an incomplete form, or beside an Authorization header', () => {
      expect(withParameters(null, CREDENTIALS).codes).toEqual(['oauth_token_url']);
      expect(withParameters('https://auth.example/token', CREDENTIALS.filter(([n]) => n !== 'client_secret')).messages).toEqual([
        'Parâmetros OAuth 2.0 (grant_type=client_credentials) incompletos: falta client_secret',
      ]);
      expect(withParameters('https://auth.example/token', CREDENTIALS, true).codes).toEqual(['oauth_authorization_header']);
    });
  });

  describe('partner presets', () => {
    it('follow a binding (`presets bind`), and a binding to an unknown preset makes the webhook invalid', () => {
      const bound = problemsOf({}, (view) => apply(view, 'integrator_presets', 'c', { id: 1, integrator_alias: WATCH.alias, preset: 'mobiaccess' }));
      expect(bound.webhook.integrator).toMatchObject({ preset: 'mobiaccess', boundPreset: 'mobiaccess' });
      const byAlias = problemsOf({});
      expect(byAlias.webhook.integrator).toMatchObject({ preset: 'watch-brasil', boundPreset: null });
      const unknown = problemsOf({}, (view) => apply(view, 'integrator_presets', 'c', { id: 1, integrator_alias: WATCH.alias, preset: 'nope' }));
      expect(unknown.codes).toEqual(['unknown_preset']);
    });
  });
});
