// The admin page's frame, pure: the document, its navigation (the page's
// sections, named as operators say them), the stylesheet, and the pages that
// stand alone (login, disabled, errors). Everything is server-rendered HTML
// with no script: the page works with a keyboard and a screen reader as plain
// links, forms and tables do.
import { attr, html, trusted, type Fragment, type Html } from './html.js';

export const NAV = [
  { key: 'webhooks', href: '/', label: 'Webhooks' },
  { key: 'entregas', href: '/entregas', label: 'Entregas' },
  { key: 'falhas', href: '/fila-de-falhas', label: 'Fila de falhas' },
  { key: 'alertas', href: '/alertas', label: 'Alertas' },
  { key: 'atraso', href: '/atraso', label: 'Atraso' },
] as const;

export type NavKey = (typeof NAV)[number]['key'];

/** Where the stylesheet is served: a file of its own, so the Content-Security-Policy needs no inline styles. */
export const STYLESHEET_PATH = '/estilo.css';

export interface Flash {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

export interface Chrome {
  readonly title: string;
  readonly current?: NavKey;
  /** The logged-in session's CSRF token (for the logout form); absent on the login page. */
  readonly csrf?: string;
  /** Reativa's namespace (REATIVA_NAMESPACE), so two environments' pages are not confused. */
  readonly namespace: string;
  readonly flash?: Flash;
}

function navigation(chrome: Chrome): Html {
  if (chrome.csrf === undefined) return html``;
  return html`<nav aria-label="Seções">
      <ul>
        ${NAV.map((item) => html`<li><a href="${item.href}"${attr('aria-current', chrome.current === item.key, 'page')}>${item.label}</a></li>`)}
      </ul>
      <form method="post" action="/sair" class="logout">
        <input type="hidden" name="csrf" value="${chrome.csrf}">
        <button type="submit">Sair</button>
      </form>
    </nav>`;
}

export function page(chrome: Chrome, body: Fragment): Html {
  return html`<!doctype html>
<html lang="pt-BR">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${chrome.title} · Reativa</title>
  <link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
  <a class="skip" href="#conteudo">Ir para o conteúdo</a>
  <header>
    <p class="brand">Reativa <span class="ns">ambiente ${chrome.namespace}</span></p>
    ${navigation(chrome)}
  </header>
  <main id="conteudo" tabindex="-1">
    <h1>${chrome.title}</h1>
    ${chrome.flash ? html`<p class="flash ${chrome.flash.kind}" role="${chrome.flash.kind === 'error' ? 'alert' : 'status'}">${chrome.flash.text}</p>` : ''}
    ${body}
  </main>
</body>
</html>
`;
}

/** The login form: a token, or user and password, as the settings say. */
export function loginPage(options: { kind: 'token' | 'password'; namespace: string; error?: string; next?: string }): Html {
  const fields =
    options.kind === 'token'
      ? html`<p><label for="token">Token de acesso</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus></p>`
      : html`<p><label for="user">Usuário</label>
          <input id="user" name="user" type="text" autocomplete="username" required autofocus></p>
        <p><label for="password">Senha</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required></p>`;
  return page(
    { title: 'Entrar', namespace: options.namespace, flash: options.error ? { kind: 'error', text: options.error } : undefined },
    html`<form method="post" action="/entrar" class="login">
      ${fields}
      <input type="hidden" name="next" value="${options.next ?? '/'}">
      <p><button type="submit">Entrar</button></p>
    </form>`,
  );
}

/** With no credentials configured the page refuses everything, and says what enables it. */
export function disabledPage(namespace: string): Html {
  return page(
    { title: 'Página de administração desativada', namespace },
    html`<p>Nenhuma credencial de acesso foi configurada, então esta página recusa todo acesso.</p>
    <p>Para ativá-la, defina <code>REATIVA_ADMIN_TOKEN</code> (um token de pelo menos 16 caracteres)
      ou <code>REATIVA_ADMIN_USER</code> e <code>REATIVA_ADMIN_PASSWORD</code>, e reinicie o Reativa.
      As sessões duram <code>REATIVA_ADMIN_SESSION_MINUTES</code> minutos.</p>`,
  );
}

export function errorPage(chrome: Chrome, message: string): Html {
  return page(chrome, html`<p class="flash error" role="alert">${message}</p>`);
}

/** One stylesheet for every page: readable on a laptop screen, visible focus, no colour as the only signal. */
export const STYLESHEET = trusted(`
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #fff; --accent: #0b5cad; --ok: #116329; --warn: #7d4e00; --bad: #a40e26; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f0a000; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: #fff; padding: .5em 1em; }
.skip:focus { left: 1em; z-index: 10; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1em 2em; padding: .6em 1.5em; border-bottom: 1px solid var(--line); background: #f6f8fa; }
.brand { margin: 0; font-weight: 700; }
.ns { font-weight: 400; color: var(--muted); margin-left: .5em; font-size: .9em; }
nav { display: flex; flex: 1; align-items: center; gap: 1em; }
nav ul { display: flex; flex-wrap: wrap; gap: .25em 1.2em; list-style: none; margin: 0; padding: 0; flex: 1; }
nav a { text-decoration: none; padding: .2em 0; }
nav a[aria-current="page"] { font-weight: 700; border-bottom: 3px solid var(--accent); color: var(--fg); }
.logout { margin: 0; }
main { padding: 1em 1.5em 3em; max-width: 1400px; }
h1 { font-size: 1.5em; margin: .3em 0 .8em; }
h2 { font-size: 1.15em; margin: 1.6em 0 .5em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; }
caption { text-align: left; color: var(--muted); padding: .3em 0; }
th, td { text-align: left; vertical-align: top; padding: .35em .6em; border-bottom: 1px solid var(--line); }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.state { display: inline-block; padding: .05em .5em; border-radius: 1em; border: 1px solid currentColor; font-size: .9em; white-space: nowrap; }
.state.ok { color: var(--ok); } .state.warn { color: var(--warn); } .state.bad { color: var(--bad); } .state.off { color: var(--muted); }
.reasons { margin: .3em 0 0; padding-left: 1.2em; color: var(--bad); }
.muted { color: var(--muted); }
.error-text { color: var(--bad); }
pre { white-space: pre-wrap; word-break: break-all; background: #f6f8fa; padding: .5em; margin: 0; max-height: 12em; overflow: auto; font-size: .9em; }
form.filters { display: flex; flex-wrap: wrap; gap: .6em 1em; align-items: flex-end; margin-bottom: 1em; }
form.filters p { margin: 0; display: flex; flex-direction: column; }
label { font-weight: 600; font-size: .92em; }
input, select, button { font: inherit; padding: .3em .5em; border: 1px solid #8c959f; border-radius: 4px; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
.flash { padding: .6em 1em; border-radius: 4px; border: 1px solid; }
.flash.ok { color: var(--ok); background: #dafbe1; }
.flash.error { color: var(--bad); background: #ffebe9; }
form.login { max-width: 22em; }
form.login input { width: 100%; }
.actions { display: flex; gap: 1em; align-items: center; margin: 1em 0; }
code { font-size: .92em; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; margin: 0 0 1em; }
dl.summary dt { font-weight: 600; }
dl.summary dd { margin: 0; }
`);
