// The live configuration: every Reativa process reads reativa.config (the
// configuration tables' changes, which the mapper takes from the change log in
// order, compacted) from the beginning, in a consumer group of its own that is
// never committed, and keeps the view current. The mapper writes a change's
// configuration before its events, and routing syncs to the topic's end before
// each batch, so a webhook saved in the ERP before a change was committed is in
// the view when that change is routed.
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { parseConfigChange } from '../contracts/config-change.js';
import type { Logger } from '../log.js';
import { waitFor } from '../util/wait.js';
import { resolveWebhooks, type ResolvedWebhook } from './webhooks.js';
import { applyConfigChange, emptyView, prerequisitesMet, prerequisitesMetAt, type CommitPosition, type ConfigView } from './view.js';

export class LiveConfig {
  readonly view: ConfigView = emptyView();
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  /** Next offset to apply, per "topic:partition". */
  private readonly position = new Map<string, bigint>();
  private cached: { version: number; webhooks: ResolvedWebhook[]; byId: Map<number, ResolvedWebhook> } | undefined;
  private readonly topics: string[];
  private readonly listeners: ((webhooks: ResolvedWebhook[]) => void)[] = [];

  constructor(private readonly kafka: Kafka, private readonly logger: Logger, configTopic: string) {
    this.topics = [configTopic];
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
    const log = this.logger.child({ component: 'live-config' });
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.consumer = this.kafka.consumer({ groupId: `reativa-config-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        for (const message of batch.messages) {
          const decoded = parseConfigChange(message.value);
          if (decoded.ok) applyConfigChange(this.view, decoded.change.table, decoded.change);
          else log.warn({ topic: batch.topic, offset: message.offset, reason: decoded.reason }, 'undecodable configuration change skipped');
          resolveOffset(message.offset);
          this.position.set(`${batch.topic}:${batch.partition}`, BigInt(message.offset) + 1n);
        }
        const webhooks = this.webhooks();
        for (const listener of this.listeners) listener(webhooks);
      },
    });
    await this.sync(60_000);
    log.info({ webhooks: this.view.webhooks.size, integrators: this.view.integrators.size, prerequisitesMet: this.prerequisitesMet() }, 'configuration loaded');
  }

  /** Waits until every configuration change written so far is applied. */
  async sync(timeoutMs = 5000): Promise<void> {
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
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
  }
}
