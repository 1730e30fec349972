// What a process depends on, and whether each answers: stages report an outage
// when they start waiting one out and its end when it is over. Logs say each
// once (not once per retry), and readiness (/readyz) is false while any lasts.
import type { Logger } from '../log.js';
import type { OutageReporter } from '../util/retry.js';

export interface Outage {
  readonly what: string;
  readonly since: number;
  readonly error: string;
}

/** What stages report to: outages they wait out, and whether each of their parts (a consumer joined to its group) is ready. */
export interface HealthReporter extends OutageReporter {
  setReady(part: string, ready: boolean): void;
}

export class Health implements HealthReporter {
  private readonly outages = new Map<string, Outage>();
  private readonly readiness = new Map<string, boolean>();

  constructor(private readonly log: Logger) {}

  down(what: string, error: unknown): void {
    if (this.outages.has(what)) return;
    const message = error instanceof Error ? error.message : String(error);
    this.outages.set(what, { what, since: Date.now(), error: message });
    this.log.warn({ what, err: error }, `${what} unavailable: waiting it out`);
  }

  up(what: string): void {
    const outage = this.outages.get(what);
    if (!outage) return;
    this.outages.delete(what);
    this.log.info({ what, downMs: Date.now() - outage.since }, `${what} available again`);
  }

  /** A part that must be ready (a consumer joined, a configuration loaded) says so. */
  setReady(part: string, ready: boolean): void {
    this.readiness.set(part, ready);
  }

  get ready(): boolean {
    return this.outages.size === 0 && [...this.readiness.values()].every(Boolean);
  }

  /** What keeps the process from being ready, for /readyz and the admin page. */
  problems(): string[] {
    return [
      ...[...this.outages.values()].map((o) => `${o.what}: ${o.error} (since ${new Date(o.since).toISOString()})`),
      ...[...this.readiness].filter(([, ready]) => !ready).map(([part]) => `${part}: not ready`),
    ];
  }
}
