// The Webhooks page, pure: every webhook of the ERP's "Interações Webhooks"
// with its integrator, the partner preset it follows, its trigger kind, its
// state (ativo; inválido, with the reasons routing gives; circuito aberto;
// inativo in the ERP) and what it delivered in the last hour.
import type { ResolvedWebhook } from '../../config/webhooks.js';
import { presetForAlias } from '../../presets/presets.js';
import { redactUrl } from '../../util/redact.js';
import { ACTION_LABELS, ENTITY_LABELS, formatCount, formatTime, labelOf, TRIGGER_KIND_LABELS } from './format.js';
import { attr, html, type Html } from './html.js';
import { page, type Chrome } from './layout.js';

/** A webhook's recent attempts, from the attempt log. */
export interface WebhookStats {
  /** Deliveries that succeeded in the last hour. */
  readonly delivered: number;
  /** Attempts that failed in the last hour. */
  readonly failedAttempts: number;
  readonly lastError: { readonly at: number; readonly status: number | null; readonly error: string } | null;
  /** Outcomes of its latest attempts that say whether the partner answers (permanent failures do not), newest first. */
  readonly recentOutcomes: readonly ('success' | 'retryable')[];
}

export const NO_STATS: WebhookStats = { delivered: 0, failedAttempts: 0, lastError: null, recentOutcomes: [] };

export type WebhookState = 'ativo' | 'inválido' | 'circuito aberto' | 'aguardando segredos' | 'inativo';

/**
 * Delivery's circuit breaker opens after `threshold` retryable failures in a
 * row and closes at the first success (src/delivery/breaker.ts). Each
 * delivery process keeps its own; the attempt log holds every process's
 * attempts, so the page applies the same rule to them.
 */
export function circuitOpen(recentOutcomes: readonly ('success' | 'retryable')[], threshold: number): boolean {
  return recentOutcomes.length >= threshold && recentOutcomes.slice(0, threshold).every((o) => o === 'retryable');
}

export function stateOf(webhook: ResolvedWebhook, stats: WebhookStats, breakerThreshold: number): WebhookState {
  if (!webhook.enabled) return 'inativo';
  if (webhook.problems.length > 0) return 'inválido';
  if (webhook.secretsPending) return 'aguardando segredos';
  if (circuitOpen(stats.recentOutcomes, breakerThreshold)) return 'circuito aberto';
  return 'ativo';
}

const STATE_CLASS: Record<WebhookState, string> = { ativo: 'ok', inválido: 'bad', 'circuito aberto': 'warn', 'aguardando segredos': 'warn', inativo: 'off' };

export interface WebhooksQuery {
  /** Show webhooks turned off in the ERP too. */
  readonly all: boolean;
  /** Part of the name, case-insensitive. */
  readonly name: string;
}

export function parseWebhooksQuery(query: Record<string, unknown>): WebhooksQuery {
  return { all: query.mostrar === 'todos', name: typeof query.nome === 'string' ? query.nome.trim().slice(0, 200) : '' };
}

export interface WebhooksModel {
  readonly webhooks: readonly ResolvedWebhook[];
  readonly stats: ReadonlyMap<number, WebhookStats>;
  readonly breakerThreshold: number;
  /** "Utilizar Webhook" and "Utiliza Streaming" both on. */
  readonly prerequisitesMet: boolean;
  /** False when this process has no configuration view (it runs the mapper only). */
  readonly configLoaded: boolean;
}

/** The webhooks the query asks for, in id order, and how many it hid. */
export function selectWebhooks(webhooks: readonly ResolvedWebhook[], query: WebhooksQuery): { shown: ResolvedWebhook[]; hidden: number } {
  const name = query.name.toLocaleLowerCase('pt-BR');
  const matching = webhooks.filter((w) => name === '' || w.name.toLocaleLowerCase('pt-BR').includes(name));
  const shown = matching.filter((w) => query.all || w.enabled);
  return { shown, hidden: matching.length - shown.length };
}

function triggersOf(w: ResolvedWebhook): Html {
  const kind = labelOf(TRIGGER_KIND_LABELS, w.triggerKind);
  if (w.triggerKind !== 'standard') return html`${kind}`;
  const rows = [...w.triggers].sort().map((t) => {
    const [entity, action] = t.split(':');
    return `${labelOf(ENTITY_LABELS, entity)}/${labelOf(ACTION_LABELS, action)}`;
  });
  return html`${kind}${rows.length > 0 ? html`<br><span class="muted">${rows.join(', ')}</span>` : ''}`;
}

function row(w: ResolvedWebhook, stats: WebhookStats, threshold: number): Html {
  const state = stateOf(w, stats, threshold);
  const preset = w.integrator ? presetForAlias(w.integrator.alias) : undefined;
  const integrator = w.integrator
    ? html`${w.integrator.alias} <span class="muted">(Versão ${w.integrator.version}${w.integrator.active ? '' : ', inativo'})</span>`
    : html`<span class="muted">-</span>`;
  const reasons =
    state === 'inválido'
      ? html`<ul class="reasons">${w.problems.map((p) => html`<li>${p.message}</li>`)}</ul>`
      : state === 'circuito aberto'
        ? html`<p class="muted">${threshold} falhas temporárias seguidas: novos envios aguardam as retentativas.</p>`
        : state === 'aguardando segredos'
          ? html`<p class="muted">Url, headers ou parâmetros ainda não lidos do ERP.</p>`
          : '';
  const last = stats.lastError
    ? html`<span class="error-text">${stats.lastError.status === null ? '' : `HTTP ${stats.lastError.status}: `}${stats.lastError.error}</span><br><span class="muted">${formatTime(stats.lastError.at)}</span>`
    : html`<span class="muted">-</span>`;
  return html`<tr id="webhook-${w.id}">
    <td class="num">${w.id}</td>
    <th scope="row">${w.name}<br><span class="muted">${w.method} ${w.url ? redactUrl(w.url) : '-'}</span></th>
    <td>${integrator}</td>
    <td>${preset ? preset.partner : html`<span class="muted">-</span>`}</td>
    <td>${triggersOf(w)}</td>
    <td><span class="state ${STATE_CLASS[state]}">${state}</span>${reasons}</td>
    <td class="num"><a href="/entregas?webhook=${w.id}">${formatCount(stats.delivered)} entregues</a>${stats.failedAttempts > 0 ? html`<br><span class="error-text">${formatCount(stats.failedAttempts)} falhas</span>` : ''}</td>
    <td>${last}</td>
  </tr>`;
}

export function webhooksPage(chrome: Chrome, model: WebhooksModel, query: WebhooksQuery): Html {
  const { shown, hidden } = selectWebhooks(model.webhooks, query);
  const notices = [
    !model.configLoaded ? html`<p class="flash error" role="alert">Este processo não lê a configuração (roda só o mapeamento): abra a página de um processo com roteamento ou entrega.</p>` : '',
    model.configLoaded && !model.prerequisitesMet
      ? html`<p class="flash error" role="alert">Os parâmetros "Utilizar Webhook" e "Utiliza Streaming" (Configurações / Parâmetros) não estão ambos ativos: nada é enviado.</p>`
      : '',
  ];
  return page(
    chrome,
    html`${notices}
    <form method="get" action="/" class="filters" role="search" aria-label="Filtrar webhooks">
      <p><label for="nome">Nome</label><input id="nome" name="nome" type="search" value="${query.name}"></p>
      <p><label for="mostrar">Mostrar</label>
        <select id="mostrar" name="mostrar">
          <option value="ativos"${attr('selected', !query.all)}>Ativos no ERP</option>
          <option value="todos"${attr('selected', query.all)}>Todos, com os inativos</option>
        </select></p>
      <p><button type="submit">Filtrar</button></p>
    </form>
    <table>
      <caption>Interações Webhooks: ${formatCount(shown.length)} ${shown.length === 1 ? 'webhook' : 'webhooks'}${hidden > 0 ? ` (${formatCount(hidden)} inativos ocultos)` : ''}; entregas e falhas da última hora</caption>
      <thead><tr>
        <th scope="col" class="num">Código</th><th scope="col">Nome</th><th scope="col">Integrador</th><th scope="col">Predefinição</th>
        <th scope="col">Gatilho</th><th scope="col">Situação</th><th scope="col" class="num">Última hora</th><th scope="col">Último erro</th>
      </tr></thead>
      <tbody>
        ${shown.length === 0 ? html`<tr><td colspan="8" class="muted">Nenhum webhook.</td></tr>` : shown.map((w) => row(w, model.stats.get(w.id) ?? NO_STATS, model.breakerThreshold))}
      </tbody>
    </table>`,
  );
}
