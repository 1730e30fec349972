// Which dead letters a `reativa dlq` command is about, pure: the filters, the
// marks of letters already redriven, what a redrive would send and how it is
// summed up for the operator.
import { InputError } from '../errors/input-error.js';
import { LETTER_STAGES, type LetterStage, type PlannedLetter, type RedriveRecord } from './redrive-plan.js';

export interface LetterFilter {
  readonly stages?: ReadonlySet<LetterStage>;
  readonly webhookId?: number;
  /** Epoch ms: letters that failed at or after it. */
  readonly since?: number;
  /** Only these ids. */
  readonly ids?: readonly string[];
}

/** The command-line filters, checked: a wrong one is an InputError naming it. */
export function parseFilter(options: { stage?: string; webhook?: string; since?: string; ids?: string }): LetterFilter {
  let stages: Set<LetterStage> | undefined;
  if (options.stage !== undefined) {
    const names = options.stage.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((s) => !(LETTER_STAGES as readonly string[]).includes(s));
    if (names.length === 0 || unknown.length > 0) throw new InputError(`--stage: "${options.stage}" is not one of ${LETTER_STAGES.join(', ')} (comma-separated)`);
    stages = new Set(names as LetterStage[]);
  }
  let webhookId: number | undefined;
  if (options.webhook !== undefined) {
    if (!/^\d+$/.test(options.webhook.trim())) throw new InputError(`--webhook: "${options.webhook}" is not a webhook id`);
    webhookId = Number(options.webhook);
  }
  let since: number | undefined;
  if (options.since !== undefined) {
    since = Date.parse(options.since);
    if (Number.isNaN(since)) throw new InputError(`--since: "${options.since}" is not an ISO date-time`);
  }
  let ids: string[] | undefined;
  if (options.ids !== undefined) {
    ids = [...new Set(options.ids.split(',').map((s) => s.trim()).filter(Boolean))];
    if (ids.length === 0) throw new InputError('--ids: give at least one id, as `dlq list` prints them (triggers:0:12,deliveries:0:3)');
  }
  return { stages, webhookId, since, ids };
}

export function matches(letter: PlannedLetter, filter: LetterFilter): boolean {
  if (filter.stages && !filter.stages.has(letter.stage)) return false;
  if (filter.webhookId !== undefined && letter.webhookId !== filter.webhookId) return false;
  if (filter.since !== undefined) {
    const failedAt = letter.failedAt === null ? Number.NaN : Date.parse(letter.failedAt);
    if (!((Number.isNaN(failedAt) ? letter.timestamp : failedAt) >= filter.since)) return false;
  }
  if (filter.ids && !filter.ids.includes(letter.id)) return false;
  return true;
}

/** A letter sent back before (a row of reativa.dead_letter_redrives). */
export interface RedriveMark {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The letter's own Kafka timestamp: a topic deleted and made again restarts its offsets, and the mark is not the new letter's. */
  readonly letterTimestamp: number;
  readonly redrivenAt: string;
  readonly targetTopic: string;
}

const markKey = (topic: string, partition: number, offset: string) => `${topic}\u0000${partition}\u0000${offset}`;

export class Marks {
  private readonly byLetter = new Map<string, RedriveMark>();

  constructor(marks: Iterable<RedriveMark>) {
    for (const m of marks) this.byLetter.set(markKey(m.topic, m.partition, m.offset), m);
  }

  /** The mark of this very letter, if it was redriven. */
  of(letter: PlannedLetter): RedriveMark | undefined {
    const mark = this.byLetter.get(markKey(letter.topic, letter.partition, letter.offset));
    return mark && mark.letterTimestamp === letter.timestamp ? mark : undefined;
  }
}

export interface ListedLetter {
  readonly letter: PlannedLetter;
  readonly mark: RedriveMark | undefined;
}

/** What `dlq list` shows: the letters that match, without those redriven unless `all`; and how many were hidden. */
export function listLetters(letters: readonly PlannedLetter[], marks: Marks, filter: LetterFilter, all: boolean): { shown: ListedLetter[]; hidden: number } {
  const shown: ListedLetter[] = [];
  let hidden = 0;
  for (const letter of inLetterOrder(letters.filter((l) => matches(l, filter)))) {
    const mark = marks.of(letter);
    if (mark && !all) hidden += 1;
    else shown.push({ letter, mark });
  }
  return { shown, hidden };
}

export interface Sendable {
  readonly letter: PlannedLetter;
  readonly record: RedriveRecord;
}

export interface RedriveSelection {
  /** What the redrive sends, oldest first. */
  readonly send: readonly Sendable[];
  /** Matching letters redriven before, left alone (without `again`). */
  readonly alreadyRedriven: readonly ListedLetter[];
  /** Matching letters that cannot be sent back, each with why. */
  readonly notRedrivable: readonly PlannedLetter[];
  /** Redrivable letters past `limit`, left for another run. */
  readonly overLimit: number;
}

/**
 * What a redrive sends: the matching letters that can be sent back, not
 * redriven before (unless `again`), oldest first, at most `limit`. Ids asked
 * for that name no letter are an InputError: nothing is sent.
 */
export function selectForRedrive(letters: readonly PlannedLetter[], marks: Marks, filter: LetterFilter, options: { limit?: number; again?: boolean } = {}): RedriveSelection {
  if (filter.ids) {
    const known = new Set(letters.map((l) => l.id));
    const missing = filter.ids.filter((id) => !known.has(id));
    if (missing.length > 0) throw new InputError(`no dead letter ${missing.join(', ')} (ids as \`dlq list --all\` prints them); nothing sent`);
  }
  const ordered = inLetterOrder(letters.filter((l) => matches(l, filter)));
  const send: Sendable[] = [];
  const alreadyRedriven: ListedLetter[] = [];
  const notRedrivable: PlannedLetter[] = [];
  let overLimit = 0;
  for (const letter of ordered) {
    if (!letter.redrive.ok) {
      notRedrivable.push(letter);
      continue;
    }
    const mark = marks.of(letter);
    if (mark && !options.again) {
      alreadyRedriven.push({ letter, mark });
      continue;
    }
    if (options.limit !== undefined && send.length >= options.limit) overLimit += 1;
    else send.push({ letter, record: letter.redrive.record });
  }
  return { send, alreadyRedriven, notRedrivable, overLimit };
}

/**
 * Letters in the order they were dead-lettered: by offset within a partition
 * (the order a key's records must keep), partitions merged by time.
 */
export function inLetterOrder(letters: readonly PlannedLetter[]): PlannedLetter[] {
  const queues = new Map<string, PlannedLetter[]>();
  for (const l of letters) {
    const key = `${l.topic}\u0000${l.partition}`;
    const queue = queues.get(key);
    if (queue) queue.push(l);
    else queues.set(key, [l]);
  }
  const heads = [...queues.values()].map((q) => q.sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : BigInt(a.offset) > BigInt(b.offset) ? 1 : 0)));
  const out: PlannedLetter[] = [];
  for (;;) {
    let next: PlannedLetter[] | undefined;
    for (const q of heads) if (q.length > 0 && (!next || q[0]!.timestamp < next[0]!.timestamp)) next = q;
    if (!next) return out;
    out.push(next.shift()!);
  }
}

export interface RedriveGroup {
  readonly stage: LetterStage;
  readonly topic: string;
  readonly ids: readonly string[];
}

/** The records to send, counted per stage and target topic, in the order first met. */
export function summarize(send: readonly Sendable[]): RedriveGroup[] {
  const groups = new Map<string, { stage: LetterStage; topic: string; ids: string[] }>();
  for (const { letter, record } of send) {
    const key = `${letter.stage}\u0000${record.topic}`;
    const group = groups.get(key) ?? { stage: letter.stage, topic: record.topic, ids: [] };
    group.ids.push(letter.id);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Parses --limit: a positive whole number. */
export function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InputError(`--limit: "${value}" is not a positive whole number`);
  return Number(value);
}
