import { describe, expect, it } from 'vitest';
import { html } from '../../../../src/admin/views/html.js';
import { disabledPage, errorPage, loginPage, NAV, page, STYLESHEET } from '../../../../src/admin/views/layout.js';

describe('the frame', () => {
  it('is a Portuguese document with a skip link, the sections, the current one marked, and a logout form with the CSRF token', () => {
    const out = page({ title: 'Entregas', current: 'entregas', csrf: 'tok"en', namespace: 'reativa' }, html`<p>corpo</p>`).text;
    expect(out).toContain('<html lang="pt-BR">');
    expect(out).toContain('<a class="skip" href="#conteudo">Ir para o conteúdo</a>');
    expect(out).toContain('<main id="conteudo" tabindex="-1">');
    for (const item of NAV) expect(out).toContain(`href="${item.href}"`);
    expect(out).toContain('<a href="/entregas" aria-current="page">Entregas</a>');
    expect(out).toContain('<input type="hidden" name="csrf" value="tok&quot;en">');
    expect(out).toContain('<h1>Entregas</h1>');
    expect(out).toContain('<p>corpo</p>');
    expect(out).not.toContain('<script');
  });

  it('shows no navigation without a session, and a flash as an alert or a status', () => {
    const out = page({ title: 'Entrar', namespace: 'ns', flash: { kind: 'error', text: 'Token <inválido>' } }, '').text;
    expect(out).not.toContain('<nav');
    expect(out).toContain('<p class="flash error" role="alert">Token &lt;inválido&gt;</p>');
    expect(page({ title: 'x', namespace: 'ns', flash: { kind: 'ok', text: 'feito' } }, '').text).toContain('role="status"');
  });
});

describe('standalone pages', () => {
  it('the login form asks for a token, or for user and password, with labels, and keeps where to go next', () => {
    const token = loginPage({ kind: 'token', namespace: 'ns', next: '/entregas?contrato=1' }).text;
    expect(token).toContain('<label for="token">Token de acesso</label>');
    expect(token).toContain('value="/entregas?contrato=1"');
    expect(token).not.toContain('name="password"');
    const password = loginPage({ kind: 'password', namespace: 'ns', error: 'Usuário ou senha inválidos.' }).text;
    expect(password).toContain('<label for="user">Usuário</label>');
    expect(password).toContain('<label for="password">Senha</label>');
    expect(password).toContain('Usuário ou senha inválidos.');
  });

  it('the disabled page names the settings that enable the page', () => {
    const out = disabledPage('reativa').text;
    expect(out).toContain('REATIVA_ADMIN_TOKEN');
    expect(out).toContain('REATIVA_ADMIN_USER');
    expect(out).toContain('REATIVA_ADMIN_PASSWORD');
  });

  it('an error page escapes its message', () => {
    expect(errorPage({ title: 'Erro', namespace: 'ns' }, '<b>').text).toContain('&lt;b&gt;');
  });

  it('the stylesheet marks focus visibly', () => {
    expect(STYLESHEET.text).toContain(':focus-visible');
  });
});
