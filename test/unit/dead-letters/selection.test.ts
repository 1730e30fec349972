import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors/input-error.js';
import type { LetterStage, PlannedLetter } from '../../../src/dead-letters/redrive-plan.js';
import { inLetterOrder, listLetters, Marks, matches, parseFilter, parseLimit, selectForRedrive, summarize, type RedriveMark } from '../../../src/dead-letters/selection.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');

function letter(id: string, stage: LetterStage, options: { timestamp?: number; webhookId?: number | null; failedAt?: string | null; redrivable?: boolean } = {}): PlannedLetter {
  const [name, partition, offset] = id.split(':') as [string, string, string];
  const topic = `ns.${name}.dlq`;
  const target = stage === 'route' ? 'ns.triggers' : stage === 'decode' || stage === 'map' ? 'ns.changes.redrive' : 'ns.deliveries';
  return {
    id,
    topic,
    partition: Number(partition),
    offset,
    timestamp: options.timestamp ?? NOW,
    stage,
    reason: 'r',
    failedAt: options.failedAt === undefined ? new Date(options.timestamp ?? NOW).toISOString() : options.failedAt,
    webhookId: options.webhookId ?? null,
    contractId: null,
    eventId: null,
    letter: {},
    redrive: options.redrivable === false ? { ok: false, why: 'no record' } : { ok: true, record: { topic: target, key: null, value: Buffer.from(id), headers: { 'reativa-redriven-from': id } } },
  };
}

const mark = (l: PlannedLetter, at = '2026-11-29T12:30:00.000Z'): RedriveMark => ({ topic: l.topic, partition: l.partition, offset: l.offset, letterTimestamp: l.timestamp, redrivenAt: at, targetTopic: 'x' });

describe('filters', () => {
  it('are parsed and checked, naming the option that is wrong', () => {
    expect(parseFilter({})).toEqual({ stages: undefined, webhookId: undefined, since: undefined, ids: undefined });
    expect(parseFilter({ stage: 'map, deliver', webhook: '3', since: '2026-11-29T00:00:00Z', ids: 'triggers:0:1,triggers:0:1, deliveries:0:2' })).toEqual({
      stages: new Set(['map', 'deliver']),
      webhookId: 3,
      since: Date.parse('2026-11-29T00:00:00Z'),
      ids: ['triggers:0:1', 'deliveries:0:2'],
    });
    expect(() => parseFilter({ stage: 'mapper' })).toThrow(/--stage: "mapper" is not one of decode, map, route, deliver, delivery, partner_rules/);
    expect(() => parseFilter({ webhook: 'abc' })).toThrow(InputError);
    expect(() => parseFilter({ since: 'yesterday' })).toThrow(/--since/);
    expect(() => parseFilter({ ids: ' , ' })).toThrow(/--ids/);
  });

  it('match on stage, webhook, failure time and id', () => {
    const l = letter('deliveries:0:4', 'delivery', { webhookId: 3, timestamp: NOW });
    expect(matches(l, {})).toBe(true);
    expect(matches(l, { stages: new Set(['delivery']) })).toBe(true);
    expect(matches(l, { stages: new Set(['map']) })).toBe(false);
    expect(matches(l, { webhookId: 3 })).toBe(true);
    expect(matches(l, { webhookId: 4 })).toBe(false);
    expect(matches(l, { since: NOW })).toBe(true);
    expect(matches(l, { since: NOW + 1 })).toBe(false);
    expect(matches(letter('triggers:0:1', 'map', { failedAt: null, timestamp: NOW }), { since: NOW + 1 })).toBe(false);
    expect(matches(l, { ids: ['deliveries:0:4'] })).toBe(true);
    expect(matches(l, { ids: ['deliveries:0:5'] })).toBe(false);
  });

  it('--limit is a positive whole number', () => {
    expect(parseLimit(undefined)).toBeUndefined();
    expect(parseLimit('2')).toBe(2);
    for (const bad of ['0', '-1', '1.5', 'x']) expect(() => parseLimit(bad)).toThrow(/--limit/);
  });
});

describe('marks', () => {
  it('hide letters already redriven from the list unless all, marked', () => {
    const [a, b] = [letter('triggers:0:1', 'map'), letter('triggers:0:2', 'route')];
    const marks = new Marks([mark(a)]);
    expect(listLetters([a, b], marks, {}, false)).toEqual({ shown: [{ letter: b, mark: undefined }], hidden: 1 });
    expect(listLetters([a, b], marks, {}, true)).toEqual({ shown: [{ letter: a, mark: mark(a) }, { letter: b, mark: undefined }], hidden: 0 });
  });

  it('belong to one letter: a topic made again restarts its offsets, and the new letter there is not marked', () => {
    const old = letter('triggers:0:1', 'map', { timestamp: NOW - 1000 });
    const reborn = letter('triggers:0:1', 'map', { timestamp: NOW });
    const marks = new Marks([mark(old)]);
    expect(marks.of(old)).toBeDefined();
    expect(marks.of(reborn)).toBeUndefined();
  });
});

describe('what a redrive sends', () => {
  const letters = [
    letter('deliveries:0:0', 'delivery', { timestamp: NOW - 5000, webhookId: 3 }),
    letter('triggers:0:0', 'map', { timestamp: NOW - 4000 }),
    letter('deliveries:0:1', 'partner_rules', { timestamp: NOW - 3000, webhookId: 3, redrivable: false }),
    letter('triggers:0:1', 'route', { timestamp: NOW - 2000 }),
    letter('deliveries:0:2', 'deliver', { timestamp: NOW - 1000, webhookId: 4 }),
  ];

  it('is every redrivable letter not sent before, oldest first, and says what it leaves', () => {
    const marks = new Marks([mark(letters[3]!)]);
    const s = selectForRedrive(letters, marks, {});
    expect(s.send.map((x) => x.letter.id)).toEqual(['deliveries:0:0', 'triggers:0:0', 'deliveries:0:2']);
    expect(s.send[0]!.record.topic).toBe('ns.deliveries');
    expect(s.alreadyRedriven.map((x) => x.letter.id)).toEqual(['triggers:0:1']);
    expect(s.notRedrivable.map((x) => x.id)).toEqual(['deliveries:0:1']);
    expect(s.overLimit).toBe(0);
    expect(selectForRedrive(letters, marks, {}, { again: true }).send).toHaveLength(4);
  });

  it('stops at --limit, leaving the rest for the next run', () => {
    const first = selectForRedrive(letters, new Marks([]), {}, { limit: 1 });
    expect(first.send.map((x) => x.letter.id)).toEqual(['deliveries:0:0']);
    expect(first.overLimit).toBe(3);
    const next = selectForRedrive(letters, new Marks([mark(letters[0]!)]), {});
    expect(next.send.map((x) => x.letter.id)).toEqual(['triggers:0:0', 'triggers:0:1', 'deliveries:0:2']);
    expect(selectForRedrive(letters, new Marks(letters.map((l) => mark(l))), {}).send).toEqual([]);
  });

  it('filters, and refuses ids that name no letter (sending nothing)', () => {
    expect(selectForRedrive(letters, new Marks([]), { webhookId: 3 }).send.map((x) => x.letter.id)).toEqual(['deliveries:0:0']);
    expect(selectForRedrive(letters, new Marks([]), { stages: new Set(['map', 'route']) }).send.map((x) => x.letter.id)).toEqual(['triggers:0:0', 'triggers:0:1']);
    expect(selectForRedrive(letters, new Marks([]), { ids: ['triggers:0:1'] }).send.map((x) => x.letter.id)).toEqual(['triggers:0:1']);
    expect(() => selectForRedrive(letters, new Marks([]), { ids: ['triggers:0:1', 'triggers:0:9'] })).toThrow(/no dead letter triggers:0:9/);
  });

  it('is summed up per stage and target topic, with the ids', () => {
    const s = selectForRedrive(letters, new Marks([]), {});
    expect(summarize(s.send)).toEqual([
      { stage: 'delivery', topic: 'ns.deliveries', ids: ['deliveries:0:0'] },
      { stage: 'map', topic: 'ns.changes.redrive', ids: ['triggers:0:0'] },
      { stage: 'route', topic: 'ns.triggers', ids: ['triggers:0:1'] },
      { stage: 'deliver', topic: 'ns.deliveries', ids: ['deliveries:0:2'] },
    ]);
  });
});

describe('letter order', () => {
  it('keeps offsets in order within a partition, whatever the timestamps, and merges partitions by time', () => {
    const a0 = letter('deliveries:0:10', 'delivery', { timestamp: NOW + 50 });
    const a1 = letter('deliveries:0:11', 'delivery', { timestamp: NOW });
    const b0 = letter('triggers:0:2', 'map', { timestamp: NOW + 10 });
    const a9 = letter('deliveries:0:9', 'delivery', { timestamp: NOW + 60 });
    expect(inLetterOrder([b0, a1, a0, a9]).map((l) => l.id)).toEqual(['triggers:0:2', 'deliveries:0:9', 'deliveries:0:10', 'deliveries:0:11']);
  });
});
