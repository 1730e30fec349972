// What each stage shows at /metrics, read from the counters the stages keep
// anyway (their stats objects) when Prometheus scrapes; and what needs a
// round trip (consumer lag, parked keys), read then with a deadline and cached
// for a few seconds, so a scrape every few seconds costs the cluster little.
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { parkedCounts, type ParkedCount } from '../db/parking.js';
import { groupLag } from '../kafka/groups.js';
import type { SharedAdmin } from '../kafka/shared-admin.js';
import type { MapperStats } from '../stages/mapper/runner.js';
import type { RunningDelivery } from '../stages/delivery/runner.js';
import type { RoutingStats } from '../stages/routing.js';
import type { ChangeStore } from '../state/change-store.js';
import { Cached } from '../util/cached.js';
import { withDeadline } from '../util/wait.js';
import { renderDeliveryTally, type DeliveryTally } from './delivery-tally.js';
import { one, type ProcessMetrics, type Sample } from './metrics.js';

/** How long a read that needs a round trip is kept, and how long a scrape waits for it. */
export const SCRAPE_CACHE_MS = 5000;
export const SCRAPE_DEADLINE_MS = 3000;

const DEAD_LETTERS = 'reativa_dead_letters_total';
const DEAD_LETTERS_HELP = 'Records a stage sent to a dead-letter topic: mapper (decode, map), routing (route, partner rules), delivery (given up, unreadable records).';

export function mapperMetrics(metrics: ProcessMetrics, mapper: { readonly stats: MapperStats; readonly store: ChangeStore }): void {
  const { stats, store } = mapper;
  metrics.counter('reativa_mapper_changes_total', 'Changes read from the change log (and redriven ones) and mapped by this process, while it is the active mapper.', [], () => one(stats.changes));
  metrics.counter('reativa_mapper_events_total', 'Trigger events produced.', [], () => one(stats.events));
  metrics.counter(DEAD_LETTERS, DEAD_LETTERS_HELP, ['stage'], () => [{ labels: { stage: 'mapper' }, value: stats.deadLetters }]);
  metrics.counter('reativa_state_store_changes_applied_total', "Changes of the change log applied to this process's state store.", [], () => one(stats.state.applied));
  metrics.gauge('reativa_state_store_entries', 'Entries in the state store: row versions and index entries.', [], () => one(store.entries));
  metrics.gauge('reativa_state_store_position', 'The last change-log offset the state store holds.', [], () => one(store.appliedThrough));
  metrics.gauge('reativa_state_store_bytes', "Size of the state store's data file on disk.", [], async () => one((await fs.stat(path.join(store.path, 'data.mdb'))).size));
}

export function routingMetrics(metrics: ProcessMetrics, routing: { readonly stats: RoutingStats }): void {
  const { stats } = routing;
  metrics.counter('reativa_routing_events_total', 'Trigger events routed.', [], () => one(stats.events));
  metrics.counter('reativa_routing_deliveries_total', 'Deliveries produced, one per matching webhook.', [], () => one(stats.deliveries));
  metrics.counter('reativa_routing_rejected_total', "Deliveries refused by a partner's rules (the client lacks data the partner requires): dead-lettered, never sent.", [], () => one(stats.rejected));
  metrics.counter(DEAD_LETTERS, DEAD_LETTERS_HELP, ['stage'], () => [{ labels: { stage: 'routing' }, value: stats.deadLetters }]);
}

export function deliveryMetrics(metrics: ProcessMetrics, delivery: RunningDelivery, tally: DeliveryTally): void {
  const { stats } = delivery;
  metrics.text(() => renderDeliveryTally(tally.snapshot()));
  metrics.counter(DEAD_LETTERS, DEAD_LETTERS_HELP, ['stage'], () => [{ labels: { stage: 'delivery' }, value: stats.deadLettered + delivery.unreadable() }]);
  metrics.counter('reativa_delivery_queued_behind_total', 'Deliveries queued behind a parked key (its head waits in a retry topic).', [], () => one(stats.queuedBehind));
  metrics.counter('reativa_delivery_stale_retries_total', "Retry records dropped: not their key's current head (a duplicate, or handled by another process).", [], () => one(stats.stale));
  metrics.counter('reativa_delivery_revived_total', 'Heads of parked keys that had stopped moving, sent again.', [], () => one(stats.revived));
  metrics.gauge('reativa_delivery_open_circuits', 'Webhooks whose circuit is open: their new deliveries are deferred to the retry path.', [], () => one(delivery.openCircuits().length));
  metrics.gauge('reativa_delivery_circuit_open', 'Present, at 1, for each webhook whose circuit is open.', ['webhook'], () => delivery.openCircuits().map((id) => ({ labels: { webhook: String(id) }, value: 1 })));
}

/** Parked keys and the deliveries queued behind them, per webhook: namespace-wide, so every delivery process reports the same (take the max). */
export function parkingMetrics(metrics: ProcessMetrics, pool: pg.Pool, namespace: string): void {
  const counts = new Cached<ParkedCount[]>(() => withDeadline('parked keys', parkedCounts(pool, namespace), SCRAPE_DEADLINE_MS), SCRAPE_CACHE_MS);
  metrics.gauge('reativa_delivery_parked_keys', "Keys parked behind a delivery waiting in a retry topic, per webhook (namespace-wide: every delivery process reports the same).", ['webhook'], async () =>
    (await counts.get()).map((c) => ({ labels: { webhook: c.webhookId }, value: c.keys })),
  );
  metrics.gauge('reativa_delivery_parked_deliveries', 'Deliveries queued behind parked keys, per webhook (namespace-wide).', ['webhook'], async () =>
    (await counts.get()).map((c) => ({ labels: { webhook: c.webhookId }, value: c.queued })),
  );
}

/** A consumer group whose lag is reported, with the topics it reads. */
export interface LaggingGroup {
  readonly groupId: string;
  readonly topics: readonly string[];
}

/**
 * Consumer lag per group and partition, for the groups this process's stages
 * belong to (custom names and the retry, redrive and state-applier groups
 * included). `groups` is asked at each read: the state applier's group is
 * known only once the mapper has opened its store.
 */
export function lagMetrics(metrics: ProcessMetrics, admin: SharedAdmin, groups: () => readonly LaggingGroup[]): void {
  const read = async (): Promise<Sample[]> => {
    const client = await admin.get();
    const samples: Sample[] = [];
    for (const { groupId, topics } of groups()) {
      for (const row of await groupLag(client, groupId, topics)) {
        samples.push({ labels: { group: groupId, topic: row.topic, partition: String(row.partition) }, value: row.lag });
      }
    }
    return samples;
  };
  let ok = 1;
  const lag = new Cached<Sample[]>(async () => {
    try {
      const samples = await withDeadline('consumer lag', read(), SCRAPE_DEADLINE_MS);
      ok = 1;
      return samples;
    } catch (error) {
      ok = 0;
      throw error;
    }
  }, SCRAPE_CACHE_MS);
  metrics.gauge('reativa_consumer_lag', 'Records not yet committed by a consumer group, per topic partition (the end offset less the committed one).', ['group', 'topic', 'partition'], () => lag.get());
  metrics.gauge('reativa_consumer_lag_read_ok', 'Whether the last read of consumer lag succeeded (0: Kafka did not answer in time; the lag series are missing).', [], async () => {
    await lag.get().catch(() => undefined);
    return one(ok);
  });
}
