// Telling operators when a webhook becomes invalid or valid again, pure.
// Configuration tables change one row at a time, so a webhook can be seen a
// moment before its integrator or its triggers: a verdict is announced only
// once it has held for `settleMs`, and only for webhooks switched on in the ERP.
// Malformed addresses in its Lista de E-mails are announced too (to the valid
// ones): they are skipped, never a reason to stop sending.
import type { FailureNotice } from '../alerts/render.js';
import { alert, type Alert } from '../contracts/alert.js';
import type { ResolvedWebhook } from '../config/webhooks.js';
import { redactUrl } from '../util/redact.js';

export interface VerdictChange {
  readonly webhook: ResolvedWebhook;
  /** Whether the webhook is valid now. */
  readonly valid: boolean;
  /** What changed: its verdict, or the malformed addresses of its list. */
  readonly about: 'verdict' | 'alert_emails';
  readonly alert: Alert;
  /** For the webhook's alert e-mail (its valid addresses). */
  readonly notice: FailureNotice;
}

const noticeOf = (w: ResolvedWebhook, kind: FailureNotice['kind'], text: string, now: number): FailureNotice => ({
  kind,
  webhookId: w.id,
  webhookName: w.name,
  url: redactUrl(w.url),
  emails: w.alertEmails,
  contractId: null,
  eventId: '',
  attempts: 0,
  lastError: text,
  at: new Date(now),
});

export class VerdictWatcher {
  /** The verdict last announced per webhook: its problems, one per line; '' for valid. */
  private readonly announced = new Map<number, string>();
  private readonly candidates = new Map<number, { signature: string; since: number }>();
  /** The malformed addresses last announced per webhook, ';'-joined. */
  private readonly announcedBadEmails = new Map<number, string>();

  constructor(private readonly settleMs = 2000) {}

  /** Whether a verdict is waiting to settle (then call watch again later, even without changes). */
  get unsettled(): boolean {
    return this.candidates.size > 0;
  }

  /** The verdicts that changed and have held for settleMs by `now`. */
  watch(webhooks: readonly ResolvedWebhook[], now: number): VerdictChange[] {
    const changes: VerdictChange[] = [];
    for (const w of webhooks) {
      const bad = w.enabled ? (w.badAlertEmails ?? []).join(';') : '';
      if ((this.announcedBadEmails.get(w.id) ?? '') !== bad) {
        this.announcedBadEmails.set(w.id, bad);
        if (bad !== '') {
          const list = (w.badAlertEmails ?? []).map((e) => `"${e}"`).join(', ');
          const text = `Lista de E-mails: ${list.includes(',') ? 'endereços inválidos ignorados' : 'endereço inválido ignorado'}: ${list}. O webhook continua ativo; os avisos vão aos demais endereços.`;
          changes.push({ webhook: w, valid: w.problems.length === 0, about: 'alert_emails', alert: alert('alert_emails_invalid', w, `Webhook "${w.name}": ${text}`, { invalid: w.badAlertEmails }, bad, new Date(now)), notice: noticeOf(w, 'alert_emails_invalid', text, now) });
        }
      }
      const signature = w.enabled ? w.problems.map((p) => p.message).join('\n') : '';
      if ((this.announced.get(w.id) ?? '') === signature) {
        this.candidates.delete(w.id);
        continue;
      }
      const candidate = this.candidates.get(w.id);
      if (candidate?.signature !== signature) {
        this.candidates.set(w.id, { signature, since: now });
        continue;
      }
      if (now - candidate.since < this.settleMs) continue;
      this.candidates.delete(w.id);
      const wasInvalid = (this.announced.get(w.id) ?? '') !== '';
      this.announced.set(w.id, signature);
      if (signature !== '') {
        const message = `Webhook "${w.name}" inativo: ${w.problems.map((p) => p.message).join('; ')}`;
        const text = `Webhook inativo, nada é enviado até a configuração ser corrigida (Manutenções / Integrações / Interações Webhooks): ${w.problems.map((p) => p.message).join('; ')}`;
        changes.push({ webhook: w, valid: false, about: 'verdict', alert: alert('webhook_invalid', w, message, { problems: w.problems }, signature, new Date(now)), notice: noticeOf(w, 'webhook_invalid', text, now) });
      } else if (wasInvalid) {
        const text = 'Configuração válida novamente: o webhook voltou a enviar.';
        changes.push({ webhook: w, valid: true, about: 'verdict', alert: alert('webhook_valid', w, `Webhook "${w.name}" com configuração válida novamente`, {}, `valid|${now}`, new Date(now)), notice: noticeOf(w, 'webhook_valid', text, now) });
      }
    }
    return changes;
  }
}
