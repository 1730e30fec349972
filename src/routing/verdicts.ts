// Telling operators when a webhook becomes invalid or valid again, pure.
// Configuration tables change one row at a time, so a webhook can be seen a
// moment before its integrator or its triggers: a verdict is announced only
// once it has held for `settleMs`, and only for webhooks switched on in the ERP.
import { alert, type Alert } from '../contracts/alert.js';
import type { ResolvedWebhook } from '../config/webhooks.js';

export interface VerdictChange {
  readonly webhook: ResolvedWebhook;
  readonly valid: boolean;
  readonly alert: Alert;
}

export class VerdictWatcher {
  /** The verdict last announced per webhook: its problems, one per line; '' for valid. */
  private readonly announced = new Map<number, string>();
  private readonly candidates = new Map<number, { signature: string; since: number }>();

  constructor(private readonly settleMs = 2000) {}

  /** Whether a verdict is waiting to settle (then call watch again later, even without changes). */
  get unsettled(): boolean {
    return this.candidates.size > 0;
  }

  /** The verdicts that changed and have held for settleMs by `now`. */
  watch(webhooks: readonly ResolvedWebhook[], now: number): VerdictChange[] {
    const changes: VerdictChange[] = [];
    for (const w of webhooks) {
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
        changes.push({ webhook: w, valid: false, alert: alert('webhook_invalid', w, message, { problems: w.problems }, signature, new Date(now)) });
      } else if (wasInvalid) {
        changes.push({ webhook: w, valid: true, alert: alert('webhook_valid', w, `Webhook "${w.name}" com configuração válida novamente`, {}, `valid|${now}`, new Date(now)) });
      }
    }
    return changes;
  }
}
