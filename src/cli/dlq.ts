// `reativa dlq`: the dead letters of every stage, on both dead-letter topics
// (<ns>.triggers.dlq: the mapper and routing; <ns>.deliveries.dlq: delivery),
// listed, shown, and sent back once their cause is mended. What a letter is
// and where it goes back to is decided in src/dead-letters/ (redrive-plan.ts,
// selection.ts: pure), which also reads the topics and sends the records back,
// each round marked in Reativa's database (redrive.ts, as the admin page does);
// here are the session, the printing and the operator's confirmation.
import type { Command } from 'commander';
import type { Admin, Kafka } from 'kafkajs';
import type pg from 'pg';
import { changeLogTopic } from '../capture/tables.js';
import { letterId, parseLetterId, type PlanContext, type PlannedLetter } from '../dead-letters/redrive-plan.js';
import { partitionStarts, readPlannedLetters, sendInRounds } from '../dead-letters/redrive.js';
import { REDRIVE_ROUND } from '../dead-letters/rounds.js';
import { listLetters, Marks, parseFilter, parseLimit, selectForRedrive, summarize, type LetterFilter, type RedriveMark } from '../dead-letters/selection.js';
import { applyMigrations } from '../db/migrations.js';
import { RedriveMarks } from '../db/redrive-marks.js';
import { firstLine } from '../errors/first-line.js';
import { InputError } from '../errors/input-error.js';
import { RetryableError } from '../errors/retryable-error.js';
import { DEAD_LETTER_RETENTION_DAYS, type ReativaTopics } from '../kafka/topics.js';
import { projectPath } from '../paths.js';
import { loadSettings, type Settings } from '../settings.js';
import { topicsOf } from '../stages/topics.js';
import { commandKafka, confirmed, connectAdmin, connectDatabase } from './services.js';

interface Session {
  readonly settings: Settings;
  readonly topics: ReativaTopics;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly marks: RedriveMarks;
  close(): Promise<void>;
}

/**
 * Kafka and Reativa's database, reached or given up on within seconds, with a
 * one-line reason (services.ts): an operator's command should not hang on a stack that is down.
 */
async function openSession(): Promise<Session> {
  const settings = loadSettings();
  const topics = topicsOf(settings);
  const kafka = commandKafka(settings);
  const admin = await connectAdmin(settings, kafka);
  let client: pg.Client;
  try {
    client = await connectDatabase("Reativa's database", settings.reativaDatabaseUrl, 'REATIVA_DATABASE_URL');
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw error;
  }
  try {
    // Reativa's processes bring the schema up to date at start; a CLI newer than them does it too (the marks' table).
    await applyMigrations(settings.reativaDatabaseUrl, projectPath('schemas', 'reativa'), 'reativa');
  } catch (error) {
    await Promise.all([admin.disconnect(), client.end()]).catch(() => undefined);
    throw error;
  }
  return {
    settings,
    topics,
    kafka,
    admin,
    marks: new RedriveMarks(client),
    close: async () => {
      await Promise.all([admin.disconnect(), client.end()]).catch(() => undefined);
    },
  };
}

async function withSession<T>(work: (session: Session) => Promise<T>): Promise<T> {
  const session = await openSession();
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

const planContext = (session: Session): PlanContext => ({
  topics: session.topics,
  changeLog: changeLogTopic(session.settings.topicPrefix),
  historyMs: session.settings.state.historyMs,
  now: Date.now(),
});

/** The dead-letter topics of the namespace that exist (a namespace never started has none). */
async function deadLetterTopics(session: Session, only?: string): Promise<string[]> {
  const existing = new Set(await session.admin.listTopics());
  const wanted = only ? [only] : [session.topics.triggersDlq, session.topics.deliveriesDlq];
  for (const t of wanted.filter((t) => !existing.has(t))) console.error(`${t} does not exist (has Reativa run in namespace ${session.topics.namespace}?)`);
  return wanted.filter((t) => existing.has(t));
}

/**
 * Every letter the topics hold now, planned; the changes partner_rules letters
 * name read back from the change log first, with its last offset now (the
 * position they are mapped as of).
 */
function readLetters(session: Session, topics: readonly string[]): Promise<PlannedLetter[]> {
  return readPlannedLetters(session.kafka, planContext(session), topics);
}

/** Deletes the marks past the dead-letter topics' retention whose letters are gone. */
async function pruneMarks(session: Session): Promise<void> {
  const existing = await session.admin.listTopics();
  const starts = await partitionStarts(session.admin, [session.topics.triggersDlq, session.topics.deliveriesDlq].filter((t) => existing.includes(t)));
  await session.marks.prune(DEAD_LETTER_RETENTION_DAYS, existing, starts);
}

async function readMarks(session: Session): Promise<Marks> {
  return new Marks(await session.marks.read([session.topics.triggersDlq, session.topics.deliveriesDlq]));
}

/** A letter as `dlq list --json` and `dlq show --json` give it. */
function view(letter: PlannedLetter, mark: RedriveMark | undefined) {
  return {
    id: letter.id,
    topic: letter.topic,
    partition: letter.partition,
    offset: letter.offset,
    timestamp: new Date(letter.timestamp).toISOString(),
    stage: letter.stage,
    failedAt: letter.failedAt,
    reason: letter.reason,
    webhookId: letter.webhookId,
    contractId: letter.contractId,
    eventId: letter.eventId,
    redrivable: letter.redrive.ok,
    target: letter.redrive.ok ? letter.redrive.record.topic : null,
    notRedrivable: letter.redrive.ok ? null : letter.redrive.why,
    redriven: mark ? { at: mark.redrivenAt, topic: mark.targetTopic } : null,
  };
}

function line(letter: PlannedLetter, mark: RedriveMark | undefined): string {
  const subject = [letter.webhookId !== null ? `webhook ${letter.webhookId}` : '', letter.contractId !== null ? `contract ${letter.contractId}` : ''].filter(Boolean).join(' ') || '-';
  const where = letter.redrive.ok ? `-> ${letter.redrive.record.topic}` : 'not redrivable';
  const redriven = mark ? `  [redriven ${mark.redrivenAt} to ${mark.targetTopic}]` : '';
  return `${letter.id.padEnd(18)} ${letter.failedAt ?? new Date(letter.timestamp).toISOString()}  ${letter.stage.padEnd(13)} ${subject.padEnd(24)} ${where}  ${letter.reason}${redriven}`;
}

/** A letter's bytes, shortened for people: the base64 fields as their size. */
function forPeople(letter: unknown): unknown {
  if (typeof letter !== 'object' || letter === null) return letter;
  const out: Record<string, unknown> = { ...(letter as Record<string, unknown>) };
  for (const field of ['value', 'record']) {
    const v = out[field];
    if (typeof v === 'string' && v.length > 80) out[field] = `(${Buffer.from(v, 'base64').length} bytes, base64; --json prints them)`;
  }
  return out;
}

function printPlan(selection: ReturnType<typeof selectForRedrive>, filter: LetterFilter): void {
  for (const group of summarize(selection.send)) {
    console.log(`${group.ids.length} ${group.stage} -> ${group.topic}: ${group.ids.join(', ')}`);
  }
  if (selection.alreadyRedriven.length > 0) {
    console.log(`skipped, already redriven (--again sends them again): ${selection.alreadyRedriven.map((l) => l.letter.id).join(', ')}`);
  }
  for (const letter of selection.notRedrivable) {
    if (!letter.redrive.ok) console.log(`skipped, not redrivable: ${letter.id} (${letter.stage}): ${letter.redrive.why}`);
  }
  if (selection.overLimit > 0) console.log(`left for another run (--limit): ${selection.overLimit}`);
  if (selection.send.length === 0) console.log(`nothing to send${filter.ids || filter.stages || filter.since || filter.webhookId !== undefined ? ' (with these filters)' : ''}`);
}

interface FilterOptions {
  stage?: string;
  webhook?: string;
  since?: string;
}

export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description("the dead letters of every stage: <namespace>.triggers.dlq (mapper, routing) and <namespace>.deliveries.dlq (delivery); ids look like triggers:0:12 and deliveries:0:3");

  dlq
    .command('list')
    .description('list the dead letters, oldest first; letters already redriven are hidden unless --all')
    .option('--stage <stages>', 'only these stages, comma-separated: decode, map, route, deliver, delivery, partner_rules')
    .option('--webhook <id>', 'only this webhook')
    .option('--since <iso>', 'only failures at or after this time')
    .option('--all', 'show letters already redriven too, marked')
    .option('--json', 'print one JSON array and nothing else')
    .action(async (options: FilterOptions & { all?: boolean; json?: boolean }) => {
      const filter = parseFilter(options);
      await withSession(async (session) => {
        await pruneMarks(session);
        const letters = await readLetters(session, await deadLetterTopics(session));
        const { shown, hidden } = listLetters(letters, await readMarks(session), filter, options.all === true);
        if (options.json) {
          console.log(JSON.stringify(shown.map((l) => view(l.letter, l.mark))));
          return;
        }
        for (const l of shown) console.log(line(l.letter, l.mark));
        const stuck = shown.filter((l) => !l.letter.redrive.ok).length;
        const notes = [stuck > 0 ? `${stuck} not redrivable (\`dlq show <id>\` says why)` : '', hidden > 0 ? `${hidden} already redriven, hidden (--all shows them)` : ''].filter(Boolean);
        console.log(`${shown.length} dead letter(s)${notes.map((n) => `; ${n}`).join('')}`);
      });
    });

  dlq
    .command('show')
    .description('one dead letter, whole, and where a redrive would send it')
    .argument('<id>', 'as `dlq list` prints it: triggers:<partition>:<offset> or deliveries:<partition>:<offset>')
    .option('--json', 'print it as one JSON object, with its bytes (base64)')
    .action(async (id: string, options: { json?: boolean }) => {
      await withSession(async (session) => {
        const at = parseLetterId(session.topics, id);
        if (!at) throw new InputError(`"${id}" is not a dead letter id: triggers:<partition>:<offset> or deliveries:<partition>:<offset>, as \`dlq list\` prints them`);
        const wanted = letterId(session.topics, at.topic, at.partition, at.offset);
        const letter = (await readLetters(session, await deadLetterTopics(session, at.topic))).find((l) => l.id === wanted);
        if (!letter) throw new InputError(`no dead letter ${wanted} in ${at.topic} (gone past the topic's retention, or never written)`);
        const mark = (await readMarks(session)).of(letter);
        if (options.json) {
          console.log(JSON.stringify({ ...view(letter, mark), letter: letter.letter }));
          return;
        }
        console.log(`${letter.id}  (${letter.topic} partition ${letter.partition} offset ${letter.offset})`);
        console.log(`stage: ${letter.stage}   failed at: ${letter.failedAt ?? '-'}`);
        console.log(`reason: ${letter.reason}`);
        console.log(letter.redrive.ok ? `redrive: sends it to ${letter.redrive.record.topic}` : `not redrivable: ${letter.redrive.why}`);
        if (mark) console.log(`redriven ${mark.redrivenAt} to ${mark.targetTopic}`);
        console.log(JSON.stringify(forPeople(letter.letter), null, 2));
      });
    });

  dlq
    .command('redrive')
    .description(
      'send dead letters back to the stage that gave up on them, once the cause is mended: decode/map to the mapper (mapped as of the change\'s ' +
        'place in the change log; refused past REATIVA_CHANGE_LOG_HISTORY), route to routing, deliver/delivery to delivery (attempts start over), ' +
        'partner_rules to the mapper (its change read again from the change log and mapped with the ERP\'s data as of now, the change log\'s last ' +
        'offset, for the refusing webhook only, under a new event id; refused once the change is out of the log or past REATIVA_CHANGE_LOG_HISTORY). ' +
        'Prints what it would send and asks first. Each letter sent is marked in Reativa\'s database once Kafka has acknowledged it, and later ' +
        `redrives skip it; a crash between sending and marking can send those few (at most ${REDRIVE_ROUND}) again.`,
    )
    .option('--stage <stages>', 'only these stages, comma-separated: decode, map, route, deliver, delivery, partner_rules')
    .option('--webhook <id>', 'only this webhook')
    .option('--since <iso>', 'only failures at or after this time')
    .option('--ids <ids>', 'only these letters, comma-separated ids as `dlq list` prints them')
    .option('--limit <n>', 'send at most n letters, oldest first')
    .option('--dry-run', 'print what would be sent; send and record nothing')
    .option('--yes', 'do not ask (needed when stdin is not a terminal)')
    .option('--again', 'send letters already redriven too')
    .action(async (options: FilterOptions & { ids?: string; limit?: string; dryRun?: boolean; yes?: boolean; again?: boolean }) => {
      const filter = parseFilter(options);
      const limit = parseLimit(options.limit);
      await withSession(async (session) => {
        const namespace = session.topics.namespace;
        if (!options.dryRun && !(await session.marks.tryLock(namespace))) {
          throw new RetryableError(`another \`reativa dlq redrive\` is running in namespace ${namespace}; nothing sent: try again once it ends`);
        }
        if (!options.dryRun) await pruneMarks(session);
        const letters = await readLetters(session, await deadLetterTopics(session));
        const selection = selectForRedrive(letters, await readMarks(session), filter, { limit, again: options.again === true });
        printPlan(selection, filter);
        const count = selection.send.length;
        if (count === 0) return;
        if (options.dryRun) {
          console.log(`dry run: ${count} record(s) would be sent; nothing sent`);
          return;
        }
        if (!(await confirmed(`send ${count} record(s) back`, options.yes === true))) return;
        const { sent, error } = await sendInRounds(session.kafka, session.marks, selection.send);
        if (error !== undefined) {
          throw new RetryableError(`redrive stopped after ${sent} of ${count} record(s) sent and marked: ${firstLine(error)}; run it again to send the rest (a round sent but not marked is sent again)`, {
            cause: error,
          });
        }
        console.log(`sent ${sent} record(s) back and marked them as redriven`);
      });
    });
}
