// A circuit breaker per webhook, pure. After `threshold` attempts in a row end
// in a retryable failure (timeouts, refused connections, 5xx, 429), the
// webhook's circuit opens: first attempts are no longer sent but deferred to
// the retry path (parked behind their key, in order), so a partner that hangs
// stops holding delivery slots that other partners' deliveries need. The
// retry path keeps attempting, and the first success closes the circuit.

export type BreakerChange = 'opened' | 'closed' | undefined;

export class Breakers {
  private readonly failures = new Map<number, number>();

  constructor(private readonly threshold: number) {}

  isOpen(webhookId: number): boolean {
    return (this.failures.get(webhookId) ?? 0) >= this.threshold;
  }

  /** The webhooks whose circuit is open now (for metrics and the admin page). */
  openWebhooks(): number[] {
    return [...this.failures].filter(([, failures]) => failures >= this.threshold).map(([webhookId]) => webhookId);
  }

  /** Counts an attempt's outcome; says when the circuit changed. Permanent failures say nothing of availability. */
  record(webhookId: number, outcome: 'success' | 'retryable' | 'permanent'): BreakerChange {
    if (outcome === 'permanent') return undefined;
    const before = this.failures.get(webhookId) ?? 0;
    if (outcome === 'success') {
      this.failures.delete(webhookId);
      return before >= this.threshold ? 'closed' : undefined;
    }
    this.failures.set(webhookId, before + 1);
    return before + 1 === this.threshold ? 'opened' : undefined;
  }
}
