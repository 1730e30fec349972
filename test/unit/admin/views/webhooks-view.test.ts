import { describe, expect, it } from 'vitest';
import type { ResolvedWebhook } from '../../../../src/config/webhooks.js';
import { circuitOpen, NO_STATS, parseWebhooksQuery, selectWebhooks, stateOf, webhooksPage, type WebhookStats } from '../../../../src/admin/views/webhooks-view.js';

function webhook(id: number, overrides: Partial<ResolvedWebhook> = {}): ResolvedWebhook {
  return {
    id,
    name: `Webhook ${id}`,
    integrator: { id: 7, alias: 'watchbrasil_v2', description: null, integrationType: 'reactive', version: 3, active: true, url: null, token: 'secret-token-value' },
    method: 'POST',
    url: 'https://partner.example/hook?token=abc123secret',
    maxAttempts: 15,
    alertEmails: ['ops@isp.com.br'],
    headers: [{ name: 'Authorization', value: 'Bearer header-secret-value' }],
    parameters: [],
    triggerKind: 'contract_service_change',
    triggers: new Set(),
    enabled: true,
    activeSince: 0,
    activeSinceLsn: null,
    problems: [],
    secretsPending: false,
    secrets: ['abc123secret', 'Bearer header-secret-value'],
    active: true,
    ...overrides,
  };
}

const chrome = { title: 'Webhooks', current: 'webhooks', csrf: 'c', namespace: 'reativa' } as const;

describe('a webhook state', () => {
  it('is inativo, inválido, aguardando segredos, circuito aberto or ativo, in that order of precedence', () => {
    const failing: WebhookStats = { ...NO_STATS, recentOutcomes: ['retryable', 'retryable', 'retryable'] };
    expect(stateOf(webhook(1, { enabled: false, problems: [{ code: 'x', message: 'y' }] }), failing, 3)).toBe('inativo');
    expect(stateOf(webhook(1, { problems: [{ code: 'x', message: 'y' }] }), failing, 3)).toBe('inválido');
    expect(stateOf(webhook(1, { secretsPending: true }), failing, 3)).toBe('aguardando segredos');
    expect(stateOf(webhook(1), failing, 3)).toBe('circuito aberto');
    expect(stateOf(webhook(1), NO_STATS, 3)).toBe('ativo');
  });

  it("has its circuit open when its latest `threshold` answers were all retryable failures (delivery's rule)", () => {
    expect(circuitOpen(['retryable', 'retryable'], 2)).toBe(true);
    expect(circuitOpen(['retryable', 'retryable', 'success'], 2)).toBe(true);
    expect(circuitOpen(['success', 'retryable', 'retryable'], 2)).toBe(false);
    expect(circuitOpen(['retryable'], 2)).toBe(false);
  });
});

describe('the Webhooks page', () => {
  it('shows each webhook with its integrator, preset, trigger kind, state and last hour, and never a secret', () => {
    const invalid = webhook(2, { name: 'Inválido <x>', problems: [{ code: 'bad_max_attempts', message: 'Limite de Tentativas para Integrar deve ser um inteiro maior que 0 (é 0)' }], active: false });
    const stats = new Map<number, WebhookStats>([[1, { delivered: 12, failedAttempts: 3, lastError: { at: Date.parse('2026-11-29T15:00:00Z'), status: 503, error: 'Service Unavailable' }, recentOutcomes: ['success'] }]]);
    const out = webhooksPage(chrome, { webhooks: [webhook(1), invalid], stats, breakerThreshold: 5, prerequisitesMet: true, configLoaded: true }, { all: false, name: '' }).text;
    expect(out).toContain('watchbrasil_v2');
    expect(out).toContain('Versão 3');
    expect(out).toContain('Watch Brasil');
    expect(out).toContain('Alteração de Serviço (Contrato)');
    expect(out).toContain('<span class="state ok">ativo</span>');
    expect(out).toContain('<span class="state bad">inválido</span>');
    expect(out).toContain('<li>Limite de Tentativas para Integrar deve ser um inteiro maior que 0 (é 0)</li>');
    expect(out).toContain('Inválido &lt;x&gt;');
    expect(out).toContain('12 entregues');
    expect(out).toContain('3 falhas');
    expect(out).toContain('HTTP 503: Service Unavailable');
    expect(out).toContain('29/11/2026 12:00:00');
    expect(out).toContain('https://partner.example/hook?token=***');
    for (const secret of ['abc123secret', 'header-secret-value', 'secret-token-value']) expect(out).not.toContain(secret);
  });

  it("lists a standard webhook's Gatilhos by entity and action", () => {
    const standard = webhook(3, { triggerKind: 'standard', triggers: new Set(['contracts:insert', 'title_receipt:insert']), integrator: null });
    const out = webhooksPage(chrome, { webhooks: [standard], stats: new Map(), breakerThreshold: 5, prerequisitesMet: true, configLoaded: true }, { all: false, name: '' }).text;
    expect(out).toContain('Integração Padrão');
    expect(out).toContain('Contratos/Inclusão, Recebimento de Títulos/Inclusão');
  });

  it('says when the prerequisites are off or the process has no configuration', () => {
    const off = webhooksPage(chrome, { webhooks: [], stats: new Map(), breakerThreshold: 5, prerequisitesMet: false, configLoaded: true }, { all: false, name: '' }).text;
    expect(off).toContain('"Utilizar Webhook" e "Utiliza Streaming"');
    const none = webhooksPage(chrome, { webhooks: [], stats: new Map(), breakerThreshold: 5, prerequisitesMet: false, configLoaded: false }, { all: false, name: '' }).text;
    expect(none).toContain('não lê a configuração');
    expect(none).toContain('Nenhum webhook.');
  });
});

describe('the filter', () => {
  it('hides webhooks off in the ERP unless asked, and matches part of the name', () => {
    const hooks = [webhook(1, { name: 'Watch Brasil' }), webhook(2, { name: 'DIRECTV GO', enabled: false }), webhook(3, { name: 'Padrão' })];
    expect(selectWebhooks(hooks, { all: false, name: '' })).toEqual({ shown: [hooks[0], hooks[2]], hidden: 1 });
    expect(selectWebhooks(hooks, { all: true, name: 'directv' })).toEqual({ shown: [hooks[1]], hidden: 0 });
    expect(parseWebhooksQuery({ mostrar: 'todos', nome: ' Watch ' })).toEqual({ all: true, name: 'Watch' });
    expect(parseWebhooksQuery({ mostrar: ['todos'], nome: 3 })).toEqual({ all: false, name: '' });
  });
});
