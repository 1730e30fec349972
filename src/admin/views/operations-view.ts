// The Alertas and Atraso pages, pure: the latest alerts of <ns>.alerts (what
// operators must hear about, already in Portuguese), and each stage's
// consumer lag with what keeps this process from being ready.
import type { Alert } from '../../contracts/alert.js';
import { ALERT_TYPE_LABELS, formatCount, formatTime, labelOf, STAGE_LABELS } from './format.js';
import { html, type Html } from './html.js';
import { page, type Chrome } from './layout.js';

/** An alert as read from the topic: its fields checked, since a topic can hold anything. */
export function parseAlert(value: unknown): Alert | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.type !== 'string' || typeof v.message !== 'string' || typeof v.at !== 'string') return undefined;
  return {
    alertId: typeof v.alertId === 'string' ? v.alertId : '',
    type: v.type as Alert['type'],
    at: v.at,
    webhookId: typeof v.webhookId === 'number' ? v.webhookId : -1,
    webhookName: typeof v.webhookName === 'string' ? v.webhookName : '',
    message: v.message,
    details: typeof v.details === 'object' && v.details !== null ? (v.details as Record<string, unknown>) : {},
  };
}

/** Every process publishes the same alert with the same alertId: one row each, the first kept, newest first. */
export function distinctAlerts(alerts: readonly Alert[]): Alert[] {
  const seen = new Set<string>();
  const out: Alert[] = [];
  for (const a of alerts) {
    if (a.alertId !== '' && seen.has(a.alertId)) continue;
    seen.add(a.alertId);
    out.push(a);
  }
  return out.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

const ALERT_CLASS: Record<string, string> = { webhook_invalid: 'bad', webhook_valid: 'ok', client_data_missing: 'warn', delivery_failed: 'bad' };

export function alertsPage(chrome: Chrome, alerts: readonly Alert[], read: number): Html {
  return page(
    chrome,
    html`<table>
      <caption>${formatCount(alerts.length)} ${alerts.length === 1 ? 'alerta' : 'alertas'}, do mais recente ao mais antigo (os últimos ${formatCount(read)} registros do tópico de alertas)</caption>
      <thead><tr><th scope="col">Quando</th><th scope="col">Tipo</th><th scope="col">Webhook</th><th scope="col">Mensagem</th></tr></thead>
      <tbody>${alerts.length === 0
        ? html`<tr><td colspan="4" class="muted">Nenhum alerta.</td></tr>`
        : alerts.map(
            (a) => html`<tr>
        <td>${formatTime(a.at)}</td>
        <td><span class="state ${ALERT_CLASS[a.type] ?? 'off'}">${labelOf(ALERT_TYPE_LABELS, a.type)}</span></td>
        <td>${a.webhookName || '-'}${a.webhookId >= 0 ? html` <span class="muted">(${a.webhookId})</span>` : ''}</td>
        <td>${a.message}</td>
      </tr>`,
          )}</tbody>
    </table>`,
  );
}

/** A consumer group's lag, per partition. */
export interface GroupLag {
  readonly stage: string;
  readonly groupId: string;
  readonly partitions: readonly { readonly topic: string; readonly partition: number; readonly committed: string | null; readonly end: string; readonly lag: number }[];
}

export function lagPage(chrome: Chrome, groups: readonly GroupLag[], problems: readonly string[]): Html {
  return page(
    chrome,
    html`<h2 id="saude">Saúde deste processo</h2>
    ${problems.length === 0 ? html`<p><span class="state ok">pronto</span> Nenhuma indisponibilidade em curso.</p>` : html`<ul class="reasons" aria-describedby="saude">${problems.map((p) => html`<li>${p}</li>`)}</ul>`}
    <h2 id="grupos">Atraso por etapa</h2>
    <table aria-describedby="grupos">
      <caption>Mensagens ainda não processadas (lag) de cada grupo de consumidores</caption>
      <thead><tr><th scope="col">Etapa</th><th scope="col">Grupo</th><th scope="col" class="num">Atraso</th><th scope="col">Partições com atraso</th></tr></thead>
      <tbody>${groups.map((g) => {
        const total = g.partitions.reduce((sum, p) => sum + p.lag, 0);
        const behind = g.partitions.filter((p) => p.lag > 0);
        return html`<tr>
        <td>${labelOf(STAGE_LABELS, g.stage)}</td>
        <td><code>${g.groupId}</code></td>
        <td class="num">${g.partitions.length === 0 ? html`<span class="muted">sem tópicos</span>` : formatCount(total)}</td>
        <td>${behind.length === 0 ? html`<span class="muted">-</span>` : html`<ul>${behind.map((p) => html`<li><code>${p.topic}[${p.partition}]</code>: ${formatCount(p.lag)} (confirmado ${p.committed ?? '-'}, fim ${p.end})</li>`)}</ul>`}</td>
      </tr>`;
      })}</tbody>
    </table>`,
  );
}
