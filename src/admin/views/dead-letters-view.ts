// The Fila de falhas page, pure: the dead letters of both dead-letter topics
// (<ns>.triggers.dlq, <ns>.deliveries.dlq) by webhook and stage, with their
// reason; a redrive of a selection, which first shows how many records it
// will send and waits for a confirmation. What can be sent, and what a
// second redrive skips, is decided by src/dead-letters (the CLI's rules).
import type { LetterStage, PlannedLetter } from '../../dead-letters/redrive-plan.js';
import { LETTER_STAGES } from '../../dead-letters/redrive-plan.js';
import type { LetterFilter, ListedLetter, RedriveSelection } from '../../dead-letters/selection.js';
import { summarize } from '../../dead-letters/selection.js';
import { formatCount, formatTime, LETTER_STAGE_LABELS, labelOf } from './format.js';
import { attr, html, type Html } from './html.js';
import { page, type Chrome } from './layout.js';

/** At most this many letters are sent by one confirmation; the rest wait for the next one. */
export const REDRIVE_MAX = 1000;

export interface LettersQuery {
  readonly filter: LetterFilter;
  /** Show letters already redriven too. */
  readonly all: boolean;
  readonly form: Readonly<Record<string, string>>;
  readonly errors: readonly string[];
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim().slice(0, 200) : '');

/** The filters of the page (webhook, etapa, mostrar), checked, with Portuguese messages. */
export function parseLettersQuery(query: Record<string, unknown>): LettersQuery {
  const form = { webhook: text(query.webhook), etapa: text(query.etapa), mostrar: text(query.mostrar) };
  const errors: string[] = [];
  let webhookId: number | undefined;
  if (form.webhook !== '') {
    if (/^\d{1,15}$/.test(form.webhook)) webhookId = Number(form.webhook);
    else errors.push(`Webhook: "${form.webhook}" não é um código de webhook`);
  }
  let stages: Set<LetterStage> | undefined;
  if (form.etapa !== '') {
    if ((LETTER_STAGES as readonly string[]).includes(form.etapa)) stages = new Set([form.etapa as LetterStage]);
    else errors.push(`Etapa: "${form.etapa}" desconhecida`);
  }
  return { filter: { webhookId, stages }, all: form.mostrar === 'todas', form, errors };
}

/** The letters a confirmation is about: the ids ticked, as the form sent them (one or many). */
export function idsOf(body: Record<string, unknown>): string[] {
  const raw = body.ids;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return [...new Set(list.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => /^(triggers|deliveries):\d+:\d+$/.test(v)))].slice(0, REDRIVE_MAX);
}

/** Whether a partner_rules letter keeps the change its event came from (letters written before it did keep only the delivery, or nothing). */
const keepsChange = (letter: PlannedLetter): boolean => typeof letter.letter === 'object' && letter.letter !== null && 'changeOffset' in letter.letter;

/** What a redrive does with a letter that can be sent, for operators: where it goes, and for a refusal by the partner's rules, with which data. */
export function redriveNote(letter: PlannedLetter): Html {
  if (!letter.redrive.ok) return html``;
  if (letter.stage !== 'partner_rules') return html`para <code>${letter.redrive.record.topic}</code>`;
  if (keepsChange(letter)) {
    return html`para <code>${letter.redrive.record.topic}</code>: a alteração é mapeada de novo com os dados do ERP como estão no momento do reenvio (corrija antes o cadastro do cliente) e enviada só a este webhook, com um novo código de evento; as regras da integradora valem de novo`;
  }
  return html`para <code>${letter.redrive.record.topic}</code>: a entrega como era na recusa (falha registrada antes desta versão; os dados corrigidos no ERP não entram)`;
}

/** Why a letter cannot be sent back, for operators. */
export function notRedrivableWhy(letter: PlannedLetter): string {
  if (letter.redrive.ok) return '';
  if (letter.stage === 'partner_rules' && keepsChange(letter)) {
    return `Não reenviável: a alteração que originou o envio já não pode ser mapeada de novo (saiu do log de alterações ou é anterior ao histórico do mapeador, REATIVA_CHANGE_LOG_HISTORY); com os dados do cliente corrigidos no ERP, a próxima alteração do contrato será enviada (${letter.redrive.why}).`;
  }
  if (letter.stage === 'partner_rules') return 'Não reenviável: as regras da integradora recusaram o envio antes de haver uma entrega; corrija os dados do cliente no ERP (a próxima alteração do contrato será enviada).';
  if (letter.stage === 'unknown') return 'Não reenviável: não é uma falha registrada pelo Reativa.';
  return `Não reenviável (${letter.redrive.why}).`;
}

/** Pending letters counted by webhook and stage, largest first. */
export function countByWebhookAndStage(letters: readonly ListedLetter[]): { webhookId: number | null; stage: LetterStage; count: number }[] {
  const counts = new Map<string, { webhookId: number | null; stage: LetterStage; count: number }>();
  for (const { letter, mark } of letters) {
    if (mark) continue;
    const key = `${letter.webhookId ?? '-'}|${letter.stage}`;
    const entry = counts.get(key) ?? { webhookId: letter.webhookId, stage: letter.stage, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || (a.webhookId ?? -1) - (b.webhookId ?? -1));
}

const webhookCell = (names: ReadonlyMap<number, string>, id: number | null): Html =>
  id === null ? html`<span class="muted">-</span>` : html`${names.get(id) ?? 'webhook'} <span class="muted">(${id})</span>`;

export interface LettersModel {
  readonly query: LettersQuery;
  readonly shown: readonly ListedLetter[];
  /** Letters already redriven that the filter hides. */
  readonly hidden: number;
  /** The webhooks the filter offers (those on in the ERP, and the one filtered by). */
  readonly webhooks: ReadonlyMap<number, string>;
  /** Every webhook's name by id, for the tables. */
  readonly names: ReadonlyMap<number, string>;
  readonly csrf: string;
}

function filterForm(form: Readonly<Record<string, string>>, webhooks: ReadonlyMap<number, string>): Html {
  return html`<form method="get" action="/fila-de-falhas" class="filters" role="search" aria-label="Filtrar a fila de falhas">
    <p><label for="f-webhook">Webhook</label>
      <select id="f-webhook" name="webhook">
        <option value="">Todos</option>
        ${[...webhooks].sort((a, b) => a[0] - b[0]).map(([id, name]) => html`<option value="${id}"${attr('selected', form.webhook === String(id))}>${id} · ${name}</option>`)}
      </select></p>
    <p><label for="f-etapa">Etapa</label>
      <select id="f-etapa" name="etapa">
        <option value="">Todas</option>
        ${LETTER_STAGES.map((s) => html`<option value="${s}"${attr('selected', form.etapa === s)}>${labelOf(LETTER_STAGE_LABELS, s)}</option>`)}
      </select></p>
    <p><label for="f-mostrar">Mostrar</label>
      <select id="f-mostrar" name="mostrar">
        <option value="pendentes"${attr('selected', form.mostrar !== 'todas')}>Ainda não reenviadas</option>
        <option value="todas"${attr('selected', form.mostrar === 'todas')}>Todas, com as reenviadas</option>
      </select></p>
    <p><button type="submit">Filtrar</button></p>
  </form>`;
}

export function lettersPage(chrome: Chrome, model: LettersModel): Html {
  const { query, shown } = model;
  const counts = countByWebhookAndStage(shown);
  const sendable = shown.filter((l) => l.letter.redrive.ok && !l.mark).length;
  return page(
    chrome,
    html`${query.errors.length > 0 ? html`<div class="flash error" role="alert"><ul>${query.errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
    ${filterForm(query.form, model.webhooks)}
    <h2 id="resumo">Por webhook e etapa</h2>
    <table aria-describedby="resumo">
      <thead><tr><th scope="col">Webhook</th><th scope="col">Etapa</th><th scope="col" class="num">Falhas não reenviadas</th></tr></thead>
      <tbody>${counts.length === 0 ? html`<tr><td colspan="3" class="muted">Nenhuma falha pendente.</td></tr>` : counts.map((c) => html`<tr><td>${webhookCell(model.names, c.webhookId)}</td><td>${labelOf(LETTER_STAGE_LABELS, c.stage)}</td><td class="num">${formatCount(c.count)}</td></tr>`)}</tbody>
    </table>
    <h2 id="falhas">Falhas</h2>
    <form method="post" action="/fila-de-falhas/confirmar">
      <input type="hidden" name="csrf" value="${model.csrf}">
      <input type="hidden" name="webhook" value="${query.form.webhook}">
      <input type="hidden" name="etapa" value="${query.form.etapa}">
      <table aria-describedby="falhas">
        <caption>${formatCount(shown.length)} ${shown.length === 1 ? 'falha' : 'falhas'}${model.hidden > 0 ? `; ${formatCount(model.hidden)} já reenviadas ocultas` : ''}, da mais antiga à mais recente</caption>
        <thead><tr><th scope="col">Reenviar</th><th scope="col">Quando</th><th scope="col">Etapa</th><th scope="col">Webhook</th><th scope="col" class="num">Contrato</th><th scope="col">Motivo</th><th scope="col">Reenvio</th></tr></thead>
        <tbody>${shown.length === 0
          ? html`<tr><td colspan="7" class="muted">Nenhuma falha com esses filtros.</td></tr>`
          : shown.map(({ letter, mark }) => {
              const box = letter.redrive.ok && !mark;
              const label = `Reenviar ${letter.id}`;
              return html`<tr>
          <td>${box ? html`<input type="checkbox" name="ids" value="${letter.id}" id="l-${letter.id}" aria-label="${label}">` : ''}</td>
          <td>${formatTime(letter.failedAt ?? letter.timestamp)}<br><code class="muted">${letter.id}</code></td>
          <td>${labelOf(LETTER_STAGE_LABELS, letter.stage)}</td>
          <td>${webhookCell(model.names, letter.webhookId)}</td>
          <td class="num">${letter.contractId ?? '-'}</td>
          <td>${letter.reason}</td>
          <td>${mark ? html`Reenviada em ${formatTime(mark.redrivenAt)}` : letter.redrive.ok ? redriveNote(letter) : html`<span class="muted">${notRedrivableWhy(letter)}</span>`}</td>
        </tr>`;
            })}</tbody>
      </table>
      ${sendable > 0
        ? html`<div class="actions">
        <button type="submit" name="escopo" value="selecionadas">Reenviar selecionadas…</button>
        <button type="submit" name="escopo" value="filtradas" class="secondary">Reenviar todas as reenviáveis deste filtro (${formatCount(sendable)})…</button>
      </div>`
        : ''}
    </form>`,
  );
}

/** The step before sending: how many records go where, and a button to confirm exactly those. */
export function confirmPage(chrome: Chrome, selection: RedriveSelection, csrf: string): Html {
  const count = selection.send.length;
  const groups = summarize(selection.send);
  const skipped = html`${selection.alreadyRedriven.length > 0 ? html`<p>${formatCount(selection.alreadyRedriven.length)} já reenviadas antes ficam de fora (não são enviadas duas vezes).</p>` : ''}
    ${selection.notRedrivable.length > 0 ? html`<p>${formatCount(selection.notRedrivable.length)} não reenviáveis ficam de fora.</p>` : ''}
    ${selection.overLimit > 0 ? html`<p>${formatCount(selection.overLimit)} ficam para um próximo reenvio (no máximo ${REDRIVE_MAX} por vez).</p>` : ''}`;
  if (count === 0) {
    return page(chrome, html`<p class="flash error" role="alert">Nada a reenviar: nenhuma das falhas escolhidas pode ser reenviada agora.</p>${skipped}<p><a href="/fila-de-falhas">Voltar à fila de falhas</a></p>`);
  }
  return page(
    chrome,
    html`<p id="pergunta"><strong>Reenviar ${formatCount(count)} ${count === 1 ? 'registro' : 'registros'}?</strong></p>
    <ul>${groups.map((g) => html`<li>${formatCount(g.ids.length)} da etapa ${labelOf(LETTER_STAGE_LABELS, g.stage)} para <code>${g.topic}</code></li>`)}</ul>
    ${skipped}
    <p class="muted">Cada registro reenviado é marcado assim que o Kafka o confirma; um novo reenvio não o envia de novo.</p>
    <form method="post" action="/fila-de-falhas/reenviar" aria-describedby="pergunta">
      <input type="hidden" name="csrf" value="${csrf}">
      <input type="hidden" name="esperados" value="${count}">
      ${selection.send.map((s) => html`<input type="hidden" name="ids" value="${s.letter.id}">`)}
      <div class="actions">
        <button type="submit">Confirmar o reenvio de ${formatCount(count)} ${count === 1 ? 'registro' : 'registros'}</button>
        <a href="/fila-de-falhas">Cancelar</a>
      </div>
    </form>`,
  );
}
