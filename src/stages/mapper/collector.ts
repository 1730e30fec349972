// Post-due collection (Cobrança Após o Vencimento), the scheduler: at least
// once a minute, while its mapper is the active one, it reads the state store
// as it stands now (the newest version of every row), asks the pure plan
// (mapping/collection.ts collectionPlan) what the clock makes due — titles
// still open past their due date and the collector's grace, collections whose
// title has since been paid, cancelled, deleted or rescheduled — produces those
// events on reativa.triggers and records them in Reativa's database
// (reativa.post_due_collections), so a restart or a standby taking over sends
// none of them twice. Why the clock and not the log: docs/architecture.md,
// "Time: post-due collection".
import type pg from 'pg';
import type { Row } from '../../capture/envelope.js';
import type { SecretSource } from '../../config/secrets.js';
import type { TriggerEvent } from '../../contracts/trigger-event.js';
import { UnmappableError } from '../../errors/unmappable-error.js';
import type { Logger } from '../../log.js';
import {
  COLLECTION_VERSION,
  collectionEvent,
  collectionKeyOf,
  collectionPlan,
  DAYS_AFTER_DUE_PARAMETER,
  DEFAULT_DAYS_AFTER_DUE,
  dueWindow,
  parseDaysAfterDue,
  phaseOf,
  type CollectionKey,
  type Collector,
  type Situation,
} from '../../mapping/collection.js';
import { Records } from '../../mapping/records.js';
import type { ChangeStore } from '../../state/change-store.js';

export interface CollectorOptions {
  /** Reativa's namespace: its records are apart from another environment's sharing the database. */
  readonly namespace: string;
  /** The zone due dates are calendar days of (the ISP's): a title is collectible from local midnight. */
  readonly timeZone: string;
  /** The clock; tests give one they move. */
  readonly now?: () => number;
}

export interface CollectorPorts {
  readonly store: ChangeStore;
  /** Reads integrator_parameters values (a secret column, never in the change log): the collector's grace. */
  readonly secrets: SecretSource;
  /** Reativa's database. */
  readonly pool: pg.Pool;
  /** Produces the events on reativa.triggers and resolves once Kafka acknowledged them (acks=all). */
  readonly produce: (events: readonly TriggerEvent[]) => Promise<void>;
}

const timeOf = (v: unknown): number | null => {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
};

export class PostDueCollector {
  private readonly now: () => number;

  constructor(
    private readonly ports: CollectorPorts,
    private readonly options: CollectorOptions,
    private readonly log: Logger,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The integrators of version 8 that are active and have an active webhook of
   * the post_due_collection kind, as the store has them now, with their grace
   * (integrator_parameters days_after_due, read from the ERP; default 1). A
   * collector whose parameter is not a whole number of days is left out: its
   * webhook is invalid (config/kinds.ts graceProblems) and its operators told.
   */
  async collectors(): Promise<Collector[]> {
    const { store } = this.ports;
    const since = new Map<number, number>();
    for (const w of store.newest('webhooks')) {
      if (w.deleted || w.row.active !== true || w.row.trigger_kind !== 'post_due_collection' || w.row.integrator_id === null || w.row.integrator_id === undefined) continue;
      const integratorId = Number(w.row.integrator_id);
      const integrator = store.newestOf('integrators', integratorId);
      if (!integrator || integrator.deleted || integrator.row.active !== true || Number(integrator.row.version) !== COLLECTION_VERSION) continue;
      // When the webhook became active: its activated_at, else the commit of its newest version (later, never earlier: no history is sent).
      const activeSince = timeOf(w.row.activated_at) ?? w.committedAt;
      since.set(integratorId, Math.min(since.get(integratorId) ?? Infinity, activeSince));
    }
    if (since.size === 0) return [];
    const parameterIds = new Map<number, number>();
    for (const p of store.newest('integrator_parameters')) {
      if (!p.deleted && p.row.name === DAYS_AFTER_DUE_PARAMETER && since.has(Number(p.row.integrator_id))) parameterIds.set(Number(p.key), Number(p.row.integrator_id));
    }
    const values = await this.ports.secrets.read('integrator_parameters', [...parameterIds.keys()]);
    const grace = new Map<number, number | undefined>();
    for (const [id, integratorId] of parameterIds) grace.set(integratorId, parseDaysAfterDue(values.get(id)?.value ?? null));
    const out: Collector[] = [];
    for (const [integratorId, activeSince] of since) {
      const daysAfterDue = grace.has(integratorId) ? grace.get(integratorId) : DEFAULT_DAYS_AFTER_DUE;
      if (daysAfterDue === undefined) continue;
      out.push({ integratorId, daysAfterDue, activeSince });
    }
    return out.sort((a, b) => a.integratorId - b.integratorId);
  }

  /** One check: sends what the clock makes due, records it, and returns the events sent. */
  async tick(): Promise<TriggerEvent[]> {
    const now = this.now();
    const { store, pool } = this.ports;
    const { namespace, timeZone } = this.options;
    const collectors = await this.collectors();
    const windows = collectors.map((c) => dueWindow(c, now, timeZone)).filter((w) => w !== undefined);
    const oldestDue = windows.length > 0 ? Math.min(...windows.map((w) => w.from)) : undefined;

    const openTitles: { id: number; dueDay: number }[] = [];
    if (oldestDue !== undefined) {
      for (const t of store.newest('receivable_titles')) {
        if (!t.deleted && t.row.status === 'open' && typeof t.row.due_date === 'number' && t.row.due_date >= oldestDue) openTitles.push({ id: Number(t.key), dueDay: t.row.due_date });
      }
    }
    const recorded = await pool.query<{ integrator_id: string; title_id: string; due_day: number; settled: boolean }>(
      `SELECT integrator_id, title_id, due_day, settled_event_id IS NOT NULL AS settled FROM reativa.post_due_collections
        WHERE namespace = $1 AND (settled_event_id IS NULL OR due_day >= $2)`,
      [namespace, oldestDue ?? 2 ** 31 - 1],
    );
    const started = new Set<string>();
    const ongoing: CollectionKey[] = [];
    for (const r of recorded.rows) {
      const key = { integratorId: Number(r.integrator_id), titleId: Number(r.title_id), dueDay: r.due_day };
      started.add(collectionKeyOf(key));
      if (!r.settled) ongoing.push(key);
    }

    const titleNow = (id: number) => {
      const t = store.newestOf('receivable_titles', id);
      return t && { row: t.row, deleted: t.deleted };
    };
    const steps = collectionPlan({ collectors, openTitles, started, ongoing, titleNow, now, timeZone });
    if (steps.length === 0) return [];

    const records = new Records(store.asOf(store.appliedThrough));
    const events: { event: TriggerEvent; key: CollectionKey; situation: Situation }[] = [];
    for (const step of steps) {
      const title = store.newestOf('receivable_titles', step.key.titleId);
      // A title the store no longer holds (pruned long after its delete): its stop carries the key alone.
      const row: Row = title?.row ?? { id: step.key.titleId, due_date: step.key.dueDay };
      // Settled: at the commit that settled it (now, when the store no longer has it); overdue: when it became collectible.
      try {
        const event = collectionEvent(step.key, step.situation, row, records, { daysAfterDue: step.daysAfterDue, timeZone, committedAt: title?.committedAt ?? now });
        events.push({ event, key: step.key, situation: step.situation });
      } catch (error) {
        if (!(error instanceof UnmappableError)) throw error;
        this.log.warn({ integratorId: step.key.integratorId, titleId: step.key.titleId, reason: error.message }, 'post-due collection event cannot be built');
      }
    }
    if (events.length === 0) return [];
    await this.ports.produce(events.map((e) => e.event));
    // Recorded once Kafka has them: a crash in between sends them again next time, with the same ids.
    for (const { event, key, situation } of events) {
      if (phaseOf(situation) === 'overdue') {
        await pool.query(
          `INSERT INTO reativa.post_due_collections (namespace, integrator_id, title_id, due_day, overdue_event_id) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING`,
          [namespace, key.integratorId, key.titleId, key.dueDay, event.eventId],
        );
      } else {
        await pool.query(
          `UPDATE reativa.post_due_collections SET settled_event_id = $5, settled_situation = $6, settled_sent_at = now()
            WHERE namespace = $1 AND integrator_id = $2 AND title_id = $3 AND due_day = $4 AND settled_event_id IS NULL`,
          [namespace, key.integratorId, key.titleId, key.dueDay, event.eventId, situation],
        );
      }
    }
    this.log.info({ overdue: events.filter((e) => e.situation === 'overdue').length, settled: events.filter((e) => e.situation !== 'overdue').length }, 'post-due collection events sent');
    return events.map((e) => e.event);
  }
}
