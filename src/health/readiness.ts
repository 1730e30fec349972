// Whether the process is ready (/readyz): every part a stage registered is
// ready (its consumers joined their groups), no outage is being waited out,
// and what the process needs answers now: Kafka, the schema registry, its
// databases. Those are asked with a short deadline and the answers kept a
// couple of seconds, so a supervisor probing every second costs them little.
import type pg from 'pg';
import { firstLine } from '../errors/first-line.js';
import type { SharedAdmin } from '../kafka/shared-admin.js';
import { registryHealthy } from '../kafka/registry.js';
import type { RegistryAccess } from '../settings.js';
import { Cached } from '../util/cached.js';
import { withDeadline } from '../util/wait.js';
import type { Health } from './health.js';

/** Something the process needs, asked whether it answers. */
export interface Probe {
  /** As /readyz names it: "kafka", "schema registry", "reativa database"… */
  readonly name: string;
  /** The setting to look at when it does not answer. */
  readonly setting: string;
  check(): Promise<unknown>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  /** Why not, one line each (empty when ready). */
  readonly problems: readonly string[];
  /** Each probe: "ok", or what went wrong. */
  readonly checks: Readonly<Record<string, string>>;
}

export interface ReadinessOptions {
  readonly cacheMs?: number;
  readonly timeoutMs?: number;
  /** Applied to every line that leaves the process (error texts can quote a URL with its password). */
  readonly redact?: (text: string) => string;
}

type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export class Readiness {
  private readonly probes: { readonly probe: Probe; readonly result: Cached<ProbeResult> }[];
  private readonly redact: (text: string) => string;

  constructor(
    private readonly health: Health,
    probes: readonly Probe[],
    options: ReadinessOptions = {},
  ) {
    const timeoutMs = options.timeoutMs ?? 2000;
    this.redact = options.redact ?? ((text) => text);
    this.probes = probes.map((probe) => ({
      probe,
      // Failures are kept as long as successes: a dependency that is down is not asked every time /readyz is.
      result: new Cached<ProbeResult>(
        () =>
          withDeadline(probe.name, Promise.resolve().then(() => probe.check()), timeoutMs).then(
            (): ProbeResult => ({ ok: true }),
            (error: unknown): ProbeResult => ({ ok: false, error: firstLine(error) }),
          ),
        options.cacheMs ?? 2000,
      ),
    }));
  }

  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(this.probes.map(async ({ probe, result }) => ({ probe, result: await result.get() })));
    const problems = [
      ...this.health.problems(),
      ...results.flatMap(({ probe, result }) => (result.ok ? [] : [`${probe.name} not answering (${probe.setting}): ${result.error}`])),
    ].map(this.redact);
    const checks = Object.fromEntries(results.map(({ probe, result }) => [probe.name, result.ok ? 'ok' : this.redact(result.error)]));
    return { ready: problems.length === 0 && this.health.ready, problems, checks };
  }
}

export const kafkaProbe = (admin: SharedAdmin): Probe => ({
  name: 'kafka',
  setting: 'REATIVA_KAFKA_BROKERS',
  check: async () => (await admin.get()).describeCluster(),
});

export const registryProbe = (url: string, access: RegistryAccess): Probe => ({
  name: 'schema registry',
  setting: 'REATIVA_SCHEMA_REGISTRY_URL',
  check: async () => {
    if (!(await registryHealthy(url, access))) throw new Error('it answered with an error status');
  },
});

export const databaseProbe = (name: string, setting: string, pool: pg.Pool): Probe => ({
  name,
  setting,
  check: () => pool.query('SELECT 1'),
});
