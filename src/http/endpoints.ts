// What every `reativa start` process serves over HTTP, wired to the process:
// /metrics (its registry, fed by the stages as they start), /healthz and
// /readyz (its Health, and probes of what its stages need), and the admin
// page. Started before the stages, so /healthz answers during startup while
// /readyz says "not ready" until every stage has joined its groups.
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { disabledAdminPlugin } from '../admin/disabled.js';
import type { AdminDeps } from '../admin/plugin.js';
import type { LiveConfig } from '../config/live.js';
import { createPool } from '../db/pool.js';
import type { Health } from '../health/health.js';
import { healthPlugin } from '../health/plugin.js';
import { databaseProbe, kafkaProbe, Readiness, registryProbe, type Probe } from '../health/readiness.js';
import { SharedAdmin } from '../kafka/shared-admin.js';
import type { ReativaTopics } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import { DeliveryTally } from '../metrics/delivery-tally.js';
import { one, ProcessMetrics } from '../metrics/metrics.js';
import { metricsPlugin } from '../metrics/plugin.js';
import { ProgressLog } from '../metrics/progress.js';
import { deliveryMetrics, lagMetrics, mapperMetrics, parkingMetrics, routingMetrics, type LaggingGroup } from '../metrics/stages.js';
import type { Settings } from '../settings.js';
import type { RunningDelivery } from '../stages/delivery/runner.js';
import type { RunningMapper } from '../stages/mapper/runner.js';
import { stateGroupOf, type ConsumerGroupSpec, type StageName } from '../stages/registry.js';
import type { RunningRouting } from '../stages/routing.js';
import { redactValues, urlSecrets } from '../util/redact.js';
import { reativaVersion } from '../version.js';
import { createHttpServer, type HttpPlugin, type HttpServer } from './server.js';

export interface EndpointDeps {
  readonly settings: Settings;
  readonly logger: Logger;
  readonly kafka: Kafka;
  readonly health: Health;
  readonly reativaPool: pg.Pool;
  readonly topics: ReativaTopics;
  readonly stages: ReadonlySet<StageName>;
  /** The consumer groups of the stages this process runs, with their custom names. */
  readonly groups: readonly ConsumerGroupSpec[];
}

export interface ProcessEndpoints {
  /** Where the server listens; undefined when it could not (the port taken: logged). */
  readonly address: string | undefined;
  /** Delivery's per-webhook counts: give it to startDelivery as its observer. */
  readonly tally: DeliveryTally;
  mapperStarted(mapper: RunningMapper, groupId: string): void;
  routingStarted(routing: RunningRouting): void;
  configStarted(live: LiveConfig): void;
  deliveryStarted(delivery: RunningDelivery): void;
  /** Every stage has started: readiness is now its consumers'. */
  started(): void;
  /** Closes the server (last, so probes are answered while the stages stop). */
  close(): Promise<void>;
}

/** Readiness parts of the process itself: not ready until every stage started, and again once it is stopping. */
export const STARTUP = 'startup';
export const SHUTDOWN = 'shutdown';

/**
 * The admin page, its code loaded only where it is on (credentials
 * configured): a process that does not serve it keeps its views, forms and
 * readers out of memory (src/admin/disabled.ts).
 */
function adminPage(deps: AdminDeps): HttpPlugin {
  if (!deps.settings.admin.credentials) return disabledAdminPlugin(deps.topics.namespace);
  return async (app) => {
    const { adminPlugin } = await import('../admin/plugin.js');
    await adminPlugin(deps)(app);
  };
}

export async function startEndpoints(deps: EndpointDeps): Promise<ProcessEndpoints> {
  const { settings, logger, health, stages } = deps;
  health.setReady(STARTUP, false);
  const metrics = new ProcessMetrics();
  const tally = new DeliveryTally();
  const progress = new ProgressLog(logger.child({ component: 'progress' }), settings.progressLogIntervalMs);
  const admin = new SharedAdmin(deps.kafka);
  const closers: (() => Promise<unknown>)[] = [() => admin.close()];
  let live: LiveConfig | undefined;

  const probes: Probe[] = [kafkaProbe(admin), registryProbe(settings.schemaRegistryUrl, settings.schemaRegistry)];
  // Delivery keeps parked keys and the attempt log in Reativa's database; routing and delivery read secrets from the ERP.
  if (stages.has('delivery')) probes.push(databaseProbe('reativa database', 'REATIVA_DATABASE_URL', deps.reativaPool));
  if (stages.has('routing') || stages.has('delivery')) {
    const erp = createPool(settings.erpDatabaseUrl, logger, { name: 'erp-probe', max: 1, statementTimeoutMs: 2000 });
    closers.push(() => erp.end());
    probes.push(databaseProbe('erp database', 'REATIVA_ERP_DATABASE_URL', erp));
  }
  // An error text may quote a connection URL: whatever a URL holds that is secret never reaches /readyz.
  const secrets = [settings.reativaDatabaseUrl, settings.erpDatabaseUrl, settings.schemaRegistryUrl, settings.smtpUrl].flatMap(urlSecrets);
  const readiness = new Readiness(health, probes, { redact: (text) => redactValues(text, secrets) });

  const lagging: LaggingGroup[] = [...deps.groups];
  lagMetrics(metrics, admin, () => lagging);
  if (stages.has('delivery')) parkingMetrics(metrics, deps.reativaPool, deps.topics.namespace);
  metrics.gauge('reativa_ready', 'Whether the process is ready: its consumers joined, nothing waited out (as /readyz, without its probes).', [], () => one(health.ready ? 1 : 0));
  metrics.gauge('reativa_build_info', 'Always 1; the labels say which Reativa runs, in which namespace, with which stages.', ['version', 'namespace', 'stages'], () => [
    { labels: { version: reativaVersion(), namespace: deps.topics.namespace, stages: [...stages].join(',') }, value: 1 },
  ]);

  let server: HttpServer | undefined;
  try {
    server = await createHttpServer({
      host: settings.http.host,
      port: settings.http.port,
      logger,
      plugins: [
        metricsPlugin(metrics),
        healthPlugin(readiness),
        adminPage({ settings, reativaPool: deps.reativaPool, kafka: deps.kafka, topics: deps.topics, health, stages, groups: deps.groups, live: () => live, logger }),
      ],
    });
  } catch (error) {
    // The stages' work does not depend on it: a port another process holds is reported, and the process runs on.
    const code = (error as { code?: unknown }).code;
    logger.error(
      { err: error, host: settings.http.host, port: settings.http.port },
      code === 'EADDRINUSE'
        ? `http server not started: ${settings.http.host}:${settings.http.port} is in use; give each process on this host its own REATIVA_HTTP_PORT (no /metrics, /healthz, /readyz or admin page meanwhile)`
        : 'http server not started (REATIVA_HTTP_HOST, REATIVA_HTTP_PORT): no /metrics, /healthz, /readyz or admin page',
    );
  }
  progress.start();

  return {
    address: server?.address,
    tally,
    mapperStarted: (mapper, groupId) => {
      mapperMetrics(metrics, mapper);
      lagging.push({ groupId: stateGroupOf(groupId, mapper.store.storeId), topics: deps.groups.find((g) => g.stage === 'mapper' && g.groupId === groupId)?.topics ?? [] });
      const { stats } = mapper;
      progress.add({ stage: 'mapper', counters: () => ({ changes: stats.changes, events: stats.events, deadLetters: stats.deadLetters, stateApplied: stats.state.applied }) });
    },
    routingStarted: (routing) => {
      routingMetrics(metrics, routing);
      live = routing.live;
      const { stats } = routing;
      progress.add({ stage: 'routing', counters: () => ({ events: stats.events, deliveries: stats.deliveries, rejected: stats.rejected, deadLetters: stats.deadLetters }) });
    },
    configStarted: (config) => {
      live = config;
    },
    deliveryStarted: (delivery) => {
      deliveryMetrics(metrics, delivery, tally);
      const { stats } = delivery;
      progress.add({
        stage: 'delivery',
        counters: () => ({ delivered: stats.delivered, retried: stats.retried, deadLettered: stats.deadLettered, deferred: stats.deferred, queuedBehind: stats.queuedBehind }),
      });
    },
    started: () => health.setReady(STARTUP, true),
    close: async () => {
      progress.stop();
      await server?.close();
      for (const close of closers) await close().catch(() => undefined);
    },
  };
}
