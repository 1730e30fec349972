// The live configuration: every Reativa process reads reativa.config (the
// configuration tables' changes, which the mapper takes from the change log in
// order, compacted) from the beginning, in a consumer group of its own that is
// never committed, and keeps the view current. The mapper writes a change's
// configuration before its events, and routing syncs to the topic's end before
// each batch, so a webhook saved in the ERP before a change was committed is in
// the view when that change is routed.
//
// Secrets (capture/tables.ts SECRET_COLUMNS: header and parameter values,
// tokens, URLs) are not in that topic, nor anywhere in Kafka. When a change of
// a row that has them is applied, the row's secrets are read (again) from the
// ERP by id (secrets.ts) and kept in the view. sync() waits for those reads
// too, so routing sees a webhook whole. When the ERP cannot be asked, rows
// keep the values last read and the reads are retried with backoff, forever:
// the process never stops for it; only a row whose secrets were never read
// holds things up (routing waits for it, delivery defers its webhook's
// deliveries), since sending without them would send the wrong request.
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Change } from '../capture/envelope.js';
import type { SecretTable } from '../capture/tables.js';
import { parseConfigChange } from '../contracts/config-change.js';
import { classifyError } from '../errors/classify.js';
import { RetryableError } from '../errors/retryable-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { Logger } from '../log.js';
import { waitFor } from '../util/wait.js';
import type { SecretSource } from './secrets.js';
import { resolveWebhooks, type ResolvedWebhook } from './webhooks.js';
import { applyConfigChange, applySecrets, emptyView, prerequisitesMet, prerequisitesMetAt, secretKey, secretRowOf, type CommitPosition, type ConfigView } from './view.js';

/** Backoff between failed reads of secrets: from 1 s, doubling, to 30 s. */
const SECRET_RETRY_MIN_MS = 1000;
const SECRET_RETRY_MAX_MS = 30_000;
/** Ids per query: `id = ANY($1)` with a process start's worth of rows stays one round trip per table. */
const SECRET_READ_CHUNK = 1000;

interface DirtyRow {
  readonly table: SecretTable;
  readonly id: number;
  /** Which change asked last: a read that started before it does not settle it. */
  readonly generation: number;
}

export class LiveConfig {
  readonly view: ConfigView = emptyView();
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  /** Next offset to apply, per "topic:partition". */
  private readonly position = new Map<string, bigint>();
  private cached: { version: number; webhooks: ResolvedWebhook[]; byId: Map<number, ResolvedWebhook> } | undefined;
  private readonly topics: string[];
  private readonly listeners: ((webhooks: ResolvedWebhook[]) => void)[] = [];
  private readonly log: Logger;
  /** Rows whose secrets must be read (again), by secretKey. */
  private readonly dirty = new Map<string, DirtyRow>();
  private generation = 0;
  private reading: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = SECRET_RETRY_MIN_MS;
  /** Set while the ERP cannot be asked for secrets: rows keep the values last read. */
  private readFailure: { readonly since: number; readonly message: string } | undefined;
  private stopped = false;

  /**
   * `secrets` is the live view's own from now on: stop() closes it.
   * `startupSecretsWaitMs`: how long start() waits for the secrets before it
   * carries on without those it could not read.
   */
  constructor(
    private readonly kafka: Kafka,
    logger: Logger,
    configTopic: string,
    private readonly secrets: SecretSource,
    private readonly options: { readonly startupSecretsWaitMs?: number } = {},
  ) {
    this.topics = [configTopic];
    this.log = logger.child({ component: 'live-config' });
  }

  /** Called after each applied batch with the webhooks as they now stand. */
  onChange(listener: (webhooks: ResolvedWebhook[]) => void): void {
    this.listeners.push(listener);
  }

  webhooks(): ResolvedWebhook[] {
    return this.current().webhooks;
  }

  /** One webhook as it now stands (a map lookup: delivery asks once per attempt). */
  webhook(id: number): ResolvedWebhook | undefined {
    return this.current().byId.get(id);
  }

  private current() {
    if (this.cached?.version !== this.view.version) {
      const webhooks = resolveWebhooks(this.view);
      this.cached = { version: this.view.version, webhooks, byId: new Map(webhooks.map((w) => [w.id, w])) };
    }
    return this.cached;
  }

  prerequisitesMet(): boolean {
    return prerequisitesMet(this.view);
  }

  readonly prerequisitesAt = (position: CommitPosition): boolean => prerequisitesMetAt(this.view, position);

  async start(): Promise<void> {
    const log = this.log;
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.consumer = this.kafka.consumer({ groupId: `reativa-config-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        let marked = false;
        for (const message of batch.messages) {
          const decoded = parseConfigChange(message.value);
          if (decoded.ok) {
            applyConfigChange(this.view, decoded.change.table, decoded.change);
            marked = this.markSecrets(decoded.change.table, decoded.change) || marked;
          } else log.warn({ topic: batch.topic, offset: message.offset, reason: decoded.reason }, 'undecodable configuration change skipped');
          resolveOffset(message.offset);
          this.position.set(`${batch.topic}:${batch.partition}`, BigInt(message.offset) + 1n);
        }
        // Rows with secrets changed: read them now, even while backing off from a failure.
        if (marked) this.readSecrets(true);
        this.notify();
      },
    });
    await this.syncTopics(60_000);
    // The ERP away at start must not stop the process: webhooks whose secrets
    // were never read stay on hold, and the reads go on in the background.
    await this.settleSecrets(this.options.startupSecretsWaitMs ?? 60_000).catch((error: unknown) => log.error({ reason: (error as Error).message }, 'configuration loaded without the secrets of some rows: their webhooks wait until the ERP answers'));
    log.info(
      { webhooks: this.view.webhooks.size, integrators: this.view.integrators.size, prerequisitesMet: this.prerequisitesMet(), secretsPending: this.dirty.size },
      'configuration loaded',
    );
  }

  /**
   * Waits until every configuration change written so far is applied, with
   * the secrets of the rows it changed read from the ERP (or, while the ERP
   * cannot be asked, the values last read kept). Throws a retryable error when
   * that takes longer than `timeoutMs`: the caller tries its batch again.
   */
  async sync(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.syncTopics(timeoutMs);
    await this.settleSecrets(Math.max(0, deadline - Date.now()));
  }

  /** Rows whose secrets sync() still waits for. */
  pendingSecrets(): number {
    let pending = 0;
    for (const key of this.dirty.keys()) if (!this.readFailure || !this.view.secrets.has(key)) pending += 1;
    return pending;
  }

  private notify(): void {
    const webhooks = this.webhooks();
    for (const listener of this.listeners) listener(webhooks);
  }

  /** A change of a row with secret columns: read them (again), unless the row is gone. True when a read is due. */
  private markSecrets(table: string, change: Change): boolean {
    const row = secretRowOf(table, change);
    if (!row) return false;
    const key = secretKey(row.table, row.id);
    if (change.op === 'd') {
      this.dirty.delete(key);
      return false;
    }
    this.dirty.set(key, { ...row, generation: ++this.generation });
    return true;
  }

  private async settleSecrets(timeoutMs: number): Promise<void> {
    this.readSecrets();
    try {
      await waitFor('the secrets of changed configuration rows to be read from the ERP', async () => this.pendingSecrets() === 0, { timeoutMs, intervalMs: 5 });
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      const why = this.readFailure ? `the ERP does not answer: ${this.readFailure.message}` : 'still reading';
      throw new RetryableError(`secrets of ${this.pendingSecrets()} configuration row(s) not read from the ERP yet (${why})`, { cause: error });
    }
  }

  /**
   * Starts reading what is dirty, unless a read is under way (it goes on to
   * what was marked meanwhile). After a failure the next read waits for its
   * backoff, unless `now`: new changes are worth one early try.
   */
  private readSecrets(now = false): void {
    if (this.stopped || this.reading || this.dirty.size === 0 || (this.retryTimer && !now)) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.reading = this.readDirty().catch((error: unknown) => this.readFailed(error)).finally(() => {
      this.reading = undefined;
      // Rows marked between the read's last look and now.
      this.readSecrets();
    });
  }

  private async readDirty(): Promise<void> {
    while (!this.stopped && this.dirty.size > 0) {
      const byTable = new Map<SecretTable, [string, DirtyRow][]>();
      for (const entry of this.dirty) {
        const list = byTable.get(entry[1].table) ?? [];
        list.push(entry);
        byTable.set(entry[1].table, list);
      }
      try {
        for (const [table, entries] of byTable) {
          for (let i = 0; i < entries.length; i += SECRET_READ_CHUNK) {
            const chunk = entries.slice(i, i + SECRET_READ_CHUNK);
            const found = await this.secrets.read(table, chunk.map(([, row]) => row.id));
            if (this.stopped) return;
            for (const [key, row] of chunk) {
              applySecrets(this.view, table, row.id, found.get(row.id) ?? null);
              if (this.dirty.get(key)?.generation === row.generation) this.dirty.delete(key);
            }
          }
        }
      } catch (error) {
        this.readFailed(error);
        this.notify();
        return;
      }
      if (this.readFailure) this.log.info({ downMs: Date.now() - this.readFailure.since }, 'secrets readable from the ERP again');
      this.readFailure = undefined;
      this.retryDelayMs = SECRET_RETRY_MIN_MS;
      this.notify();
    }
  }

  /** The ERP could not be asked: keep the values last read, and ask again later, whatever the error. */
  private readFailed(error: unknown): void {
    // The message only: a driver error object may carry more than the reason.
    const message = error instanceof Error ? error.message : String(error);
    const kind = classifyError(error);
    if (!this.readFailure || this.readFailure.message !== message) {
      const fields = { reason: message, rows: this.dirty.size, retryInMs: this.retryDelayMs };
      // A permanent error (a role without the grant, say) will not pass by itself: an operator must act.
      if (kind === 'permanent') this.log.error(fields, 'cannot read secrets from the ERP (check the runtime role\'s grants); rows keep the values last read, retrying');
      else this.log.warn(fields, 'secrets not readable from the ERP now; rows keep the values last read, retrying');
    }
    this.readFailure = { since: this.readFailure?.since ?? Date.now(), message };
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.readSecrets();
    }, this.retryDelayMs);
    this.retryTimer.unref();
    this.retryDelayMs = Math.min(SECRET_RETRY_MAX_MS, this.retryDelayMs * 2);
  }

  /** Waits until every configuration change written so far is applied (secrets aside). */
  private async syncTopics(timeoutMs: number): Promise<void> {
    const admin = this.admin!;
    const ends = await Promise.all(this.topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })));
    const pending = ends.flatMap(({ topic, partitions }) =>
      partitions.filter((p) => BigInt(p.high) > 0n).map((p) => ({ key: `${topic}:${p.partition}`, high: BigInt(p.high) })),
    );
    await waitFor('the configuration topics to be applied', async () => pending.every((p) => (this.position.get(p.key) ?? 0n) >= p.high), {
      timeoutMs,
      intervalMs: 20,
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
    await this.reading?.catch(() => undefined);
    await this.secrets.close();
  }
}
