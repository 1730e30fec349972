// How a CLI command reaches the services it needs: within seconds or not at
// all. An operator's command must not hang for 40 s on a stack that is down,
// nor bury the reason under a library's stack traces: a service that does not
// answer ends the command with one line naming the service, where it was
// looked for, the setting to fix and `reativa doctor`. Library log lines never
// reach stdout, which is the command's output (`--json` pipes into jq).
import { createInterface } from 'node:readline/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type pg from 'pg';
import { createClient } from '../db/pool.js';
import { classifyError } from '../errors/classify.js';
import { firstLine } from '../errors/first-line.js';
import { RetryableError } from '../errors/retryable-error.js';
import { explainKafkaRefusal, kafkaConnection, kafkaSecurity } from '../kafka/client.js';
import type { Settings } from '../settings.js';
import { withDeadline } from '../util/wait.js';

/** How long a command waits for a service before it says which one is missing (the bound is 10 s). */
export const REACH_DEADLINE_MS = 6000;

/**
 * A database URL as it may be shown: its server and database, never its user
 * or password (postgres://u:secret@db:5432/erp → db:5432/erp).
 */
export function databaseLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** The one line a command ends with when a service does not answer. */
export function unreachable(service: string, where: string, setting: string, error: unknown): RetryableError {
  return new RetryableError(`${service} is not reachable at ${where} (${setting}): ${firstLine(error)}; check ${setting}, or run \`reativa doctor\``, { cause: error });
}

/**
 * A kafkajs client for a command: short timeouts and few retries (each call is
 * bounded by REACH_DEADLINE_MS anyway), and no log lines at all: its failures
 * surface as errors, its warnings would land on stdout.
 */
export function commandKafka(settings: Settings): Kafka {
  return new Kafka({
    clientId: `${settings.kafka.clientId}-cli`,
    brokers: [...settings.kafka.brokers],
    ...kafkaSecurity(kafkaConnection(settings)),
    connectionTimeout: 3000,
    requestTimeout: 15_000,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 },
    logLevel: logLevel.NOTHING,
  });
}

/** A connected admin, or the one line saying Kafka is not there. */
export async function connectAdmin(settings: Settings, kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin();
  try {
    await withDeadline(
      'Kafka',
      (async () => {
        await admin.connect();
        // Connecting alone may succeed against a broker that then answers nothing.
        await admin.listTopics();
      })(),
      REACH_DEADLINE_MS,
    );
    return admin;
  } catch (error) {
    void admin.disconnect().catch(() => undefined);
    const explained = explainKafkaRefusal(error);
    if (explained !== error) throw explained;
    throw unreachable('Kafka', settings.kafka.brokers.join(','), 'REATIVA_KAFKA_BROKERS', error);
  }
}

/** A connected database client, or the one line saying the database is not there. */
export async function connectDatabase(service: string, url: string, setting: string): Promise<pg.Client> {
  const client = createClient({ connectionString: url, connectionTimeoutMillis: 5000, statement_timeout: 10_000 });
  try {
    await withDeadline(service, client.connect(), REACH_DEADLINE_MS);
    return client;
  } catch (error) {
    void client.end().catch(() => undefined);
    // A refused password or a missing database is not an outage, but the same setting mends it.
    throw unreachable(service, databaseLocation(url), setting, error);
  }
}

/**
 * `work` against a database reached through `url`: a failure to reach it
 * (a connection refused, timed out, lost) becomes the one line; any other
 * error (a query's) is the command's own and passes as it is.
 */
export async function againstDatabase<T>(service: string, url: string, setting: string, work: () => Promise<T>): Promise<T> {
  try {
    return await withDeadline(service, work(), REACH_DEADLINE_MS + 10_000);
  } catch (error) {
    if (classifyError(error) === 'retryable') throw unreachable(service, databaseLocation(url), setting, error);
    throw error;
  }
}

/**
 * Whether to go ahead with something that changes state: yes with --yes; on a
 * terminal, the operator's answer (asked on stderr: stdout is the output).
 * Without a terminal (a script, a pipe) and without --yes, it refuses: says to
 * add --yes (or look with --dry-run) and sets exit code 2; a "no" sets 1.
 */
export async function confirmed(what: string, yes: boolean, input: NodeJS.ReadStream = process.stdin): Promise<boolean> {
  if (yes) return true;
  if (!input.isTTY) {
    console.error(`refusing to ${what} without confirmation: stdin is not a terminal; add --yes to go ahead (or --dry-run to look)`);
    process.exitCode = 2;
    return false;
  }
  const rl = createInterface({ input, output: process.stderr });
  try {
    if (/^(y|yes|s|sim)$/i.test((await rl.question(`${what}? [y/N] `)).trim())) return true;
  } finally {
    rl.close();
  }
  console.error('nothing done');
  process.exitCode = 1;
  return false;
}
