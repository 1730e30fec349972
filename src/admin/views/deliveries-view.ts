// The Entregas page, pure: the attempt log (reativa.delivery_attempts)
// searched by webhook, contract, event id, outcome or HTTP status and period,
// and one delivery's attempts with status, latency, error and the start of
// the partner's answer. The log never holds a header, so neither does the page.
import { formatLatency, formatTime, labelOf, OUTCOME_LABELS, parseSaoPauloLocal } from './format.js';
import { attr, html, type Html } from './html.js';
import { page, type Chrome } from './layout.js';

export const OUTCOMES = ['success', 'retryable', 'permanent'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** A search of the attempt log; the period always bounds it (the table's time index is what makes it quick). */
export interface AttemptSearch {
  readonly webhookId?: number;
  readonly contractId?: number;
  readonly eventId?: string;
  readonly outcome?: Outcome;
  readonly status?: number;
  readonly from: number;
  readonly to: number;
}

export const DEFAULT_PERIOD_MS = 24 * 3600_000;
/** The log keeps 30 days by default (REATIVA_ATTEMPT_LOG_RETENTION_DAYS); longer searches are refused. */
export const MAX_PERIOD_MS = 31 * 24 * 3600_000;
/** Rows a search shows, newest first. */
export const SEARCH_LIMIT = 200;

export interface ParsedSearch {
  readonly search: AttemptSearch;
  /** The fields as typed, to fill the form again. */
  readonly form: Readonly<Record<string, string>>;
  /** What was wrong with the form, in Portuguese; the search then uses the defaults for those fields. */
  readonly errors: readonly string[];
}

const field = (query: Record<string, unknown>, name: string): string => {
  const v = query[name];
  return typeof v === 'string' ? v.trim().slice(0, 200) : '';
};

/** The search form's fields (webhook, contrato, evento, situacao, status, de, ate), checked. */
export function parseAttemptSearch(query: Record<string, unknown>, now: number): ParsedSearch {
  const errors: string[] = [];
  const form: Record<string, string> = {};
  for (const name of ['webhook', 'contrato', 'evento', 'situacao', 'status', 'de', 'ate']) form[name] = field(query, name);
  const whole = (name: string, label: string): number | undefined => {
    const text = form[name]!;
    if (text === '') return undefined;
    if (!/^\d{1,15}$/.test(text)) {
      errors.push(`${label}: "${text}" não é um número`);
      return undefined;
    }
    return Number(text);
  };
  const webhookId = whole('webhook', 'Webhook');
  const contractId = whole('contrato', 'Contrato');
  let status = whole('status', 'Status HTTP');
  if (status !== undefined && (status < 100 || status > 599)) {
    errors.push(`Status HTTP: ${status} não é um status HTTP (100 a 599)`);
    status = undefined;
  }
  const eventId = form.evento === '' ? undefined : form.evento;
  let outcome: Outcome | undefined;
  if (form.situacao !== '') {
    if ((OUTCOMES as readonly string[]).includes(form.situacao!)) outcome = form.situacao as Outcome;
    else errors.push(`Situação: "${form.situacao}" desconhecida`);
  }
  const time = (name: string, label: string): number | undefined => {
    const text = form[name]!;
    if (text === '') return undefined;
    const at = parseSaoPauloLocal(text);
    if (at === undefined) errors.push(`${label}: "${text}" não é uma data e hora (dd/mm/aaaa hh:mm)`);
    return at;
  };
  // "Até 14:03" takes in the whole minute 14:03 (the field has no seconds); blank: now.
  const until = time('ate', 'Até');
  const to = until === undefined ? now : /:\d{2}:\d{2}$/.test(form.ate!) ? until : until + 59_999;
  let from = time('de', 'De') ?? to - DEFAULT_PERIOD_MS;
  if (from > to) {
    errors.push('Período: "De" é depois de "Até"');
    from = to - DEFAULT_PERIOD_MS;
  }
  if (to - from > MAX_PERIOD_MS) {
    errors.push('Período: no máximo 31 dias (o registro de tentativas guarda 30 por padrão)');
    from = to - MAX_PERIOD_MS;
  }
  // Blank fields stay blank: they mean "the last 24 hours up to now" whenever the form is sent
  // again, where a filled-in "now" would freeze the period at the time the page was opened.
  return { search: { webhookId, contractId, eventId, outcome, status, from, to }, form, errors };
}

/** One row of reativa.delivery_attempts. */
export interface AttemptRow {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly webhookId: number;
  readonly contractId: number | null;
  readonly attempt: number;
  readonly attemptedAt: number;
  readonly outcome: string;
  readonly status: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
  readonly responseExcerpt: string | null;
}

const OUTCOME_CLASS: Record<string, string> = { success: 'ok', retryable: 'warn', permanent: 'bad' };

const outcomeBadge = (outcome: string): Html => html`<span class="state ${OUTCOME_CLASS[outcome] ?? 'off'}">${labelOf(OUTCOME_LABELS, outcome)}</span>`;

const webhookName = (names: ReadonlyMap<number, string>, id: number): Html => html`${names.get(id) ?? 'webhook'} <span class="muted">(${id})</span>`;

/** A long error shortened for a table cell; the delivery's page shows it whole. */
const short = (text: string | null, max = 160): string => (text === null ? '' : text.length > max ? `${text.slice(0, max - 1)}…` : text);

export const deliveryHref = (deliveryId: string): string => `/entregas/${encodeURIComponent(deliveryId)}`;

function searchForm(form: Readonly<Record<string, string>>, webhooks: ReadonlyMap<number, string>): Html {
  const options = [...webhooks].sort((a, b) => a[0] - b[0]);
  return html`<form method="get" action="/entregas" class="filters" role="search" aria-label="Buscar entregas">
    <p><label for="webhook">Webhook</label>
      <select id="webhook" name="webhook">
        <option value="">Todos</option>
        ${options.map(([id, name]) => html`<option value="${id}"${attr('selected', form.webhook === String(id))}>${id} · ${name}</option>`)}
      </select></p>
    <p><label for="contrato">Contrato</label><input id="contrato" name="contrato" inputmode="numeric" size="10" value="${form.contrato}"></p>
    <p><label for="evento">Evento</label><input id="evento" name="evento" size="28" value="${form.evento}"></p>
    <p><label for="situacao">Situação</label>
      <select id="situacao" name="situacao">
        <option value="">Todas</option>
        ${OUTCOMES.map((o) => html`<option value="${o}"${attr('selected', form.situacao === o)}>${OUTCOME_LABELS[o]}</option>`)}
      </select></p>
    <p><label for="status">Status HTTP</label><input id="status" name="status" inputmode="numeric" size="5" value="${form.status}"></p>
    <p><label for="de">De</label><input id="de" name="de" type="datetime-local" value="${form.de}"></p>
    <p><label for="ate">Até</label><input id="ate" name="ate" type="datetime-local" value="${form.ate}"></p>
    <p><button type="submit">Buscar</button></p>
  </form>`;
}

export interface DeliveriesModel {
  readonly parsed: ParsedSearch;
  readonly rows: readonly AttemptRow[];
  /** The webhooks the form offers (those on in the ERP, and the one searched for). */
  readonly webhooks: ReadonlyMap<number, string>;
  /** Every webhook's name by id (the configuration view's), for the table. */
  readonly names: ReadonlyMap<number, string>;
}

export function deliveriesPage(chrome: Chrome, model: DeliveriesModel): Html {
  const { parsed, rows } = model;
  return page(
    chrome,
    html`${parsed.errors.length > 0 ? html`<div class="flash error" role="alert"><p>Verifique a busca:</p><ul>${parsed.errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
    ${searchForm(parsed.form, model.webhooks)}
    <table>
      <caption>Tentativas de ${formatTime(parsed.search.from)} a ${formatTime(parsed.search.to)} (horário de Brasília)${rows.length >= SEARCH_LIMIT ? `: as ${SEARCH_LIMIT} mais recentes` : `: ${rows.length}`}</caption>
      <thead><tr>
        <th scope="col">Quando</th><th scope="col">Webhook</th><th scope="col" class="num">Contrato</th><th scope="col">Evento</th>
        <th scope="col" class="num">Tentativa</th><th scope="col">Situação</th><th scope="col" class="num">Status</th><th scope="col" class="num">Latência</th><th scope="col">Erro</th>
      </tr></thead>
      <tbody>
        ${rows.length === 0
          ? html`<tr><td colspan="9" class="muted">Nenhuma tentativa com esses filtros.</td></tr>`
          : rows.map(
              (r) => html`<tr>
          <td><a href="${deliveryHref(r.deliveryId)}">${formatTime(r.attemptedAt)}</a></td>
          <td>${webhookName(model.names, r.webhookId)}</td>
          <td class="num">${r.contractId ?? '-'}</td>
          <td><code>${r.eventId}</code></td>
          <td class="num">${r.attempt}</td>
          <td>${outcomeBadge(r.outcome)}</td>
          <td class="num">${r.status ?? '-'}</td>
          <td class="num">${formatLatency(r.latencyMs)}</td>
          <td>${short(r.error)}</td>
        </tr>`,
            )}
      </tbody>
    </table>`,
  );
}

/** One delivery: every attempt, oldest first. */
export function deliveryPage(chrome: Chrome, deliveryId: string, attempts: readonly AttemptRow[], webhooks: ReadonlyMap<number, string>): Html {
  const first = attempts[0];
  const summary = first
    ? html`<dl class="summary">
        <dt>Webhook</dt><dd>${webhookName(webhooks, first.webhookId)}</dd>
        <dt>Contrato</dt><dd>${first.contractId ?? '-'}</dd>
        <dt>Evento</dt><dd><code>${first.eventId}</code></dd>
        <dt>Entrega</dt><dd><code>${deliveryId}</code></dd>
      </dl>`
    : html`<p class="muted">Nenhuma tentativa registrada para a entrega <code>${deliveryId}</code> (fora do período de retenção, ou ainda não gravada).</p>`;
  return page(
    chrome,
    html`<p><a href="/entregas">← Voltar à busca</a></p>
    ${summary}
    ${first
      ? html`<table>
      <caption>${attempts.length} ${attempts.length === 1 ? 'tentativa' : 'tentativas'}</caption>
      <thead><tr><th scope="col" class="num">Tentativa</th><th scope="col">Quando</th><th scope="col">Situação</th><th scope="col" class="num">Status</th><th scope="col" class="num">Latência</th><th scope="col">Erro</th><th scope="col">Resposta (início)</th></tr></thead>
      <tbody>${attempts.map(
        (a) => html`<tr>
        <td class="num">${a.attempt}</td>
        <td>${formatTime(a.attemptedAt)}</td>
        <td>${outcomeBadge(a.outcome)}</td>
        <td class="num">${a.status ?? '-'}</td>
        <td class="num">${formatLatency(a.latencyMs)}</td>
        <td>${a.error ?? html`<span class="muted">-</span>`}</td>
        <td>${a.responseExcerpt ? html`<pre>${a.responseExcerpt}</pre>` : html`<span class="muted">-</span>`}</td>
      </tr>`,
      )}</tbody>
    </table>`
      : ''}`,
  );
}
