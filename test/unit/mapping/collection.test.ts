import { describe, expect, it } from 'vitest';
import {
  collectibleAt,
  collectionEvent,
  collectionEventId,
  collectionKeyOf,
  collectionPlan,
  dueWindow,
  localDay,
  overdueCollections,
  parseDaysAfterDue,
  settlement,
  startOfLocalDay,
  type Collector,
} from '../../../src/mapping/collection.js';
import { Records } from '../../../src/mapping/records.js';
import type { RowVersion } from '../../../src/mapping/state.js';
import { world } from '../../support/mapping-fixtures.js';

const ZONE = 'America/Sao_Paulo';
/** Days since 1970-01-01 of a calendar date, the way the change log sends a DATE. */
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
/** A controllable clock: an instant given in São Paulo time (UTC-3, no daylight saving since 2019). */
const at = (local: string) => Date.parse(`${local}-03:00`);

const title = (patch: Record<string, unknown> = {}): RowVersion => ({
  row: { id: 600, company_id: 1, contract_id: 100, client_id: 10, title_number: 'T-600', issue_date: day('2026-11-29'), due_date: day('2026-12-09'), amount: '99.90', status: 'open', ...patch },
  deleted: false,
});

const collector: Collector = { integratorId: 90, daysAfterDue: 1, activeSince: at('2026-12-01T09:00:00') };

describe('the grace parameter', () => {
  it.each([
    ['1', 1],
    [' 0 ', 0],
    ['30', 30],
    ['-1', undefined],
    ['1.5', undefined],
    ['três', undefined],
    [null, undefined],
  ] as const)('%j gives %j', (value, days) => {
    expect(parseDaysAfterDue(value)).toBe(days);
  });
});

describe('calendar days in the ISP zone', () => {
  it('a local day starts at local midnight', () => {
    expect(startOfLocalDay(day('2026-12-10'), ZONE)).toBe(at('2026-12-10T00:00:00'));
    expect(localDay(at('2026-12-10T23:59:59'), ZONE)).toBe(day('2026-12-10'));
    expect(localDay(at('2026-12-11T00:00:00'), ZONE)).toBe(day('2026-12-11'));
  });

  it('a title due on the 9th with one day of grace is collectible from midnight of the 11th', () => {
    expect(collectibleAt(day('2026-12-09'), 1, ZONE)).toBe(at('2026-12-11T00:00:00'));
    expect(collectibleAt(day('2026-12-09'), 0, ZONE)).toBe(at('2026-12-10T00:00:00'));
  });
});

describe('which titles are collected, as the clock moves', () => {
  const titles = [{ id: 600, dueDay: day('2026-12-09') }];
  const collect = (now: number, started = new Set<string>(), c = collector) => overdueCollections([c], titles, started, now, ZONE).map((x) => x.key);

  it('none before the due date and the grace have passed', () => {
    expect(collect(at('2026-12-10T23:59:59'))).toEqual([]);
  });

  it('the title once they have, under a key of collector, title and due date', () => {
    expect(collect(at('2026-12-11T00:00:00'))).toEqual([{ integratorId: 90, titleId: 600, dueDay: day('2026-12-09') }]);
  });

  it('once only: a started collection is not started again', () => {
    const started = new Set([collectionKeyOf({ integratorId: 90, titleId: 600, dueDay: day('2026-12-09') })]);
    expect(collect(at('2026-12-20T10:00:00'), started)).toEqual([]);
  });

  it('never what was collectible before the collector was active (the ERP sends no history)', () => {
    const late = { ...collector, activeSince: at('2026-12-15T08:00:00') };
    expect(dueWindow(late, at('2026-12-20T10:00:00'), ZONE)).toEqual({ from: day('2026-12-14'), to: day('2026-12-18') });
    expect(collect(at('2026-12-20T10:00:00'), new Set(), late)).toEqual([]);
  });
});

describe('the end of a collection', () => {
  const due = day('2026-12-09');
  it.each([
    ['still open, same due date', title(), undefined],
    ['paid', title({ status: 'paid' }), 'paid'],
    ['cancelled', title({ status: 'cancelled' }), 'cancelled'],
    ['deleted', { ...title(), deleted: true }, 'deleted'],
    ['no longer held', undefined, 'deleted'],
    ['due date moved', title({ due_date: day('2026-12-20') }), 'rescheduled'],
  ] as const)('%s: %s', (_name, version, situation) => {
    expect(settlement(version, due)).toBe(situation);
  });
});

describe('the plan at a given time', () => {
  const key = { integratorId: 90, titleId: 600, dueDay: day('2026-12-09') };
  it('starts collections that fell due and ends those whose title was paid', () => {
    const plan = collectionPlan({
      collectors: [collector],
      openTitles: [{ id: 601, dueDay: day('2026-12-09') }],
      started: new Set([collectionKeyOf(key)]),
      ongoing: [key],
      titleNow: (id) => (id === 600 ? title({ status: 'paid' }) : undefined),
      now: at('2026-12-12T08:00:00'),
      timeZone: ZONE,
    });
    expect(plan).toEqual([
      { key, situation: 'paid', daysAfterDue: 1 },
      { key: { ...key, titleId: 601 }, situation: 'overdue', daysAfterDue: 1 },
    ]);
  });

  it('a moved due date ends the old collection and, once the new one has passed, starts another', () => {
    const moved = day('2026-12-14');
    const input = {
      collectors: [collector],
      openTitles: [{ id: 600, dueDay: moved }],
      started: new Set([collectionKeyOf(key)]),
      ongoing: [key],
      titleNow: () => title({ due_date: moved }),
      timeZone: ZONE,
    };
    expect(collectionPlan({ ...input, now: at('2026-12-12T08:00:00') })).toEqual([{ key, situation: 'rescheduled', daysAfterDue: 1 }]);
    expect(collectionPlan({ ...input, ongoing: [], now: at('2026-12-16T00:00:00') })).toEqual([{ key: { ...key, dueDay: moved }, situation: 'overdue', daysAfterDue: 1 }]);
  });

  it('sends nothing while nothing is due', () => {
    expect(collectionPlan({ collectors: [collector], openTitles: [{ id: 600, dueDay: day('2026-12-09') }], started: new Set(), ongoing: [], titleNow: () => title(), now: at('2026-12-10T12:00:00'), timeZone: ZONE })).toEqual([]);
  });
});

describe('collection events', () => {
  const key = { integratorId: 90, titleId: 600, dueDay: day('2026-12-09') };
  const records = new Records(world());

  it('have ids of the collector, title, due date and phase alone', () => {
    expect(collectionEventId(key, 'overdue')).toBe(collectionEventId(key, 'overdue'));
    expect(collectionEventId(key, 'overdue')).not.toBe(collectionEventId(key, 'settled'));
    expect(collectionEventId(key, 'overdue')).not.toBe(collectionEventId({ ...key, dueDay: key.dueDay + 5 }, 'overdue'));
    expect(collectionEventId(key, 'overdue')).not.toBe(collectionEventId({ ...key, integratorId: 91 }, 'overdue'));
  });

  it('overdue: the title, its client and when it became collectible, committed then', () => {
    const event = collectionEvent(key, 'overdue', title().row, records, { daysAfterDue: 1, timeZone: ZONE });
    expect(event).toMatchObject({ kind: 'post_due_collection', action: 'insert', integratorId: 90, contractId: 100, companyId: 1, aggregateKey: 'contract:100' });
    expect(event.source).toMatchObject({ table: 'receivable_titles', op: 'clock', lsn: null, committedAt: at('2026-12-11T00:00:00') });
    expect(event.body).toEqual({
      CompanyId: 1,
      CompanyTxId: '12.123.123/0001-14',
      ActionType: 0,
      Collection: { Situation: { Code: 'overdue', Label: 'Vencido' }, DueDate: '2026-12-09', DaysAfterDue: 1, CollectibleSince: '2026-12-11T03:00:00.000Z' },
      Title: {
        Id: 600,
        ContractId: 100,
        TitleNumber: 'T-600',
        IssueDate: '2026-11-29',
        DueDate: '2026-12-09',
        Amount: '99.90',
        Status: { Code: 'open', Label: 'Em Aberto' },
        Client: { Id: 10, Name: 'Maria Silva', TxId: '123.456.789-09', Email: 'maria@example.com', Phone: '(11)3333-4444', CellPhone: '(11)99999-0000' },
      },
    });
  });

  it('settled: ActionType 2 and why, committed when the title was settled', () => {
    const paidAt = at('2026-12-12T10:00:00');
    const event = collectionEvent(key, 'paid', title({ status: 'paid' }).row, records, { daysAfterDue: 1, timeZone: ZONE, committedAt: paidAt });
    expect(event).toMatchObject({ action: 'delete', eventId: collectionEventId(key, 'settled'), source: { committedAt: paidAt } });
    expect(event.body).toMatchObject({ ActionType: 2, Collection: { Situation: { Code: 'paid', Label: 'Pago' } }, Title: { Status: { Code: 'paid', Label: 'Pago' } } });
  });

  it('of a title whose company the log never showed cannot be built', () => {
    expect(() => collectionEvent(key, 'overdue', title({ company_id: 55 }).row, records, { daysAfterDue: 1, timeZone: ZONE })).toThrow(/missing parent row: companies 55/);
  });
});
