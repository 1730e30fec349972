// Post-due collection (Cobrança Após o Vencimento, integrator version 8), pure.
// It is time, not a row change: a receivable title still open once its due
// date plus the collector's grace has passed goes to the collector (phase
// `overdue`), and once it is paid, cancelled, deleted or its due date moves,
// the collector is told to stop (phase `settled`). Each phase is sent once per
// collector, title and due date, under an id derived from those alone. These
// events are a function of the change log (the state store) and the clock:
// the one exception to "a function of the log" (docs/architecture.md, "Time:
// post-due collection"). The scheduler that runs this
// (src/stages/mapper/collector.ts) reads the store, keeps what it sent in
// Reativa's database and produces the events; what to send is decided here
// (collectionPlan), against a clock the caller gives.
import type { Row } from '../capture/envelope.js';
import type { Action, SourcePosition, TriggerEvent } from '../contracts/trigger-event.js';
import type { Body } from '../contracts/contract.js';
import { UnmappableError } from '../errors/unmappable-error.js';
import { header, receivableTitleGroup } from './bodies.js';
import { COLLECTION_SITUATION_LABELS, coded } from './labels.js';
import { isoDate, type Records } from './records.js';
import type { RowVersion } from './state.js';
import { eventId } from './trigger.js';

/** The integrator parameter (Parâmetros do integrador) holding the grace, in days. */
export const DAYS_AFTER_DUE_PARAMETER = 'days_after_due';
/** The grace when the integrator has no such parameter. */
export const DEFAULT_DAYS_AFTER_DUE = 1;
/** The integrator version collectors are configured with. */
export const COLLECTION_VERSION = 8;

const DAY_MS = 86_400_000;

/** The grace a parameter value gives: a whole number of days, 0 or more; undefined when the value is not one. */
export function parseDaysAfterDue(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  return /^\d{1,4}$/.test(text) ? Number(text) : undefined;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of an instant in a time zone. */
function wallClock(instant: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second) };
}

/** The local calendar day of an instant, as days since 1970-01-01 (the way Debezium sends a DATE). */
export function localDay(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day) / DAY_MS;
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instant / 1000) * 1000;
}

/** The instant a local day starts (its midnight in the zone). */
export function startOfLocalDay(day: number, timeZone: string): number {
  const utcMidnight = day * DAY_MS;
  const guess = utcMidnight - offsetAt(utcMidnight, timeZone);
  // Again from the guess, in case the offset changes between UTC midnight and local midnight.
  return utcMidnight - offsetAt(guess, timeZone);
}

/** When a title due on `dueDay` becomes collectible: once its due date and the grace days have passed, at the next local midnight. */
export function collectibleAt(dueDay: number, daysAfterDue: number, timeZone: string): number {
  return startOfLocalDay(dueDay + daysAfterDue + 1, timeZone);
}

/** An integrator of version 8 with an active post_due_collection webhook. */
export interface Collector {
  readonly integratorId: number;
  readonly daysAfterDue: number;
  /**
   * Since when it has had an active post_due_collection webhook. Titles that
   * became collectible before are history, which the ERP never sends: a
   * collector switched on today does not receive years of unpaid titles.
   */
  readonly activeSince: number;
}

/** The due days whose titles are collectible for `collector` now and were not yet before it was active; undefined when none. */
export function dueWindow(collector: Collector, now: number, timeZone: string): { readonly from: number; readonly to: number } | undefined {
  const g = collector.daysAfterDue;
  const to = localDay(now, timeZone) - g - 1;
  const activeDay = localDay(collector.activeSince, timeZone);
  const firstMidnight = startOfLocalDay(activeDay, timeZone) >= collector.activeSince ? activeDay : activeDay + 1;
  const from = firstMidnight - g - 1;
  return from <= to ? { from, to } : undefined;
}

/** One collector's collection of one title for one due date. */
export interface CollectionKey {
  readonly integratorId: number;
  readonly titleId: number;
  readonly dueDay: number;
}

export const collectionKeyOf = (k: CollectionKey): string => `${k.integratorId}|${k.titleId}|${k.dueDay}`;

/**
 * The collections to start now: each collector's open titles due within its
 * window, but those already started (`started`: collectionKeyOf of every
 * overdue phase recorded, settled or not: once per title and due date).
 */
export function overdueCollections(
  collectors: readonly Collector[],
  titles: readonly { readonly id: number; readonly dueDay: number }[],
  started: ReadonlySet<string>,
  now: number,
  timeZone: string,
): { readonly collector: Collector; readonly key: CollectionKey }[] {
  const out: { collector: Collector; key: CollectionKey }[] = [];
  for (const collector of collectors) {
    const window = dueWindow(collector, now, timeZone);
    if (!window) continue;
    for (const title of titles) {
      if (title.dueDay < window.from || title.dueDay > window.to) continue;
      const key = { integratorId: collector.integratorId, titleId: title.id, dueDay: title.dueDay };
      if (!started.has(collectionKeyOf(key))) out.push({ collector, key });
    }
  }
  return out;
}

export type Situation = 'overdue' | 'paid' | 'cancelled' | 'deleted' | 'rescheduled';

/**
 * Whether a collection under way is over, and why: the title as the store has
 * it now (undefined: no longer held), against the due date collected. A
 * title still open with the same due date is still owed (undefined).
 */
export function settlement(title: RowVersion | undefined, dueDay: number): Exclude<Situation, 'overdue'> | undefined {
  if (!title || title.deleted) return 'deleted';
  if (title.row.status === 'paid') return 'paid';
  if (title.row.status === 'cancelled') return 'cancelled';
  if (title.row.due_date !== dueDay) return 'rescheduled';
  return undefined;
}

export type Phase = 'overdue' | 'settled';

export const phaseOf = (situation: Situation): Phase => (situation === 'overdue' ? 'overdue' : 'settled');

/** The source position of a collection event: the title's row, at no WAL position (it comes from the clock). */
function sourceOf(titleId: number, committedAt: number): SourcePosition {
  return { table: 'receivable_titles', lsn: null, txId: null, primaryKey: JSON.stringify({ id: titleId }), op: 'clock', committedAt };
}

/** Deterministic: the title, the due date collected, the phase and the collector, nothing else. */
export function collectionEventId(key: CollectionKey, phase: Phase): string {
  return eventId(sourceOf(key.titleId, 0), 'post_due_collection', `${isoDate(key.dueDay) as string}|${phase}|integrator:${key.integratorId}`);
}

const fail = (reason: string): never => {
  throw new UnmappableError(reason);
};

/**
 * The event of one phase of a collection. `title` is the title's row as the
 * store has it now (its last image when deleted). The event's commit time is
 * when the phase happened: for `overdue`, the moment the title became
 * collectible; for the others, `committedAt`, the commit of the change that
 * settled it. Throws UnmappableError when the log has never
 * shown the title's company.
 */
export function collectionEvent(
  key: CollectionKey,
  situation: Situation,
  title: Row,
  records: Records,
  collection: { readonly daysAfterDue: number; readonly timeZone: string; readonly committedAt?: number },
): TriggerEvent {
  const phase = phaseOf(situation);
  const action: Action = phase === 'overdue' ? 'insert' : 'delete';
  const companyId = Number(title.company_id);
  const company = records.company(companyId) ?? fail(`missing parent row: companies ${companyId}`);
  const contractId = title.contract_id === null || title.contract_id === undefined ? null : Number(title.contract_id);
  const clientId = title.client_id === null || title.client_id === undefined ? null : Number(title.client_id);
  const client = records.person(clientId);
  const collectible = collectibleAt(key.dueDay, collection.daysAfterDue, collection.timeZone);
  const row: Row = { ...title, issue_date: isoDate(title.issue_date), due_date: isoDate(title.due_date) };
  const body: Body = {
    ...header(company, action),
    Collection: {
      Situation: coded(situation, COLLECTION_SITUATION_LABELS),
      DueDate: isoDate(key.dueDay),
      DaysAfterDue: collection.daysAfterDue,
      CollectibleSince: new Date(collectible).toISOString(),
    },
    Title: receivableTitleGroup(row, client),
  };
  const source = sourceOf(key.titleId, phase === 'overdue' ? collectible : (collection.committedAt ?? collectible));
  return {
    eventId: collectionEventId(key, phase),
    kind: 'post_due_collection',
    entity: null,
    action,
    aggregateKey: contractId !== null ? `contract:${contractId}` : `receivable_titles:${source.primaryKey}`,
    contractId,
    companyId,
    integratorId: key.integratorId,
    source,
    body,
  };
}

/** One step of a collection to send now: a collector starts on a title, or a collection under way ends. */
export interface PlannedStep {
  readonly key: CollectionKey;
  readonly situation: Situation;
  /** The collector's grace (its parameter now; the default when it no longer collects). */
  readonly daysAfterDue: number;
}

/**
 * What to send at `now`: for every collection under way (`ongoing`: an overdue
 * phase sent and no settled one) whose title is paid, cancelled, deleted or
 * due on another date now, its end; and every collection to start. `titleNow`
 * answers the title as the store has it now. A title whose due date moved is
 * settled for the old date and, once the new date and the grace have passed,
 * collected again under the new one: another key, another id.
 */
export function collectionPlan(input: {
  readonly collectors: readonly Collector[];
  readonly openTitles: readonly { readonly id: number; readonly dueDay: number }[];
  readonly started: ReadonlySet<string>;
  readonly ongoing: readonly CollectionKey[];
  readonly titleNow: (id: number) => RowVersion | undefined;
  readonly now: number;
  readonly timeZone: string;
}): PlannedStep[] {
  const grace = new Map(input.collectors.map((c) => [c.integratorId, c.daysAfterDue]));
  const steps: PlannedStep[] = [];
  for (const key of input.ongoing) {
    const situation = settlement(input.titleNow(key.titleId), key.dueDay);
    if (situation) steps.push({ key, situation, daysAfterDue: grace.get(key.integratorId) ?? DEFAULT_DAYS_AFTER_DUE });
  }
  for (const { collector, key } of overdueCollections(input.collectors, input.openTitles, input.started, input.now, input.timeZone)) {
    steps.push({ key, situation: 'overdue', daysAfterDue: collector.daysAfterDue });
  }
  return steps;
}
