// `reativa start` (npm start): brings the stack up unless it is external (which
// also applies the reference ERP schema to the stack's own database), brings
// Reativa's own database schema up to date, then runs
// Reativa's processors until Ctrl-C or SIGTERM, which leave their consumer
// groups with offsets committed.
import type { Command } from 'commander';
import { applyMigrations } from '../db/migrations.js';
import { createKafka } from '../kafka/client.js';
import { createRegistry } from '../kafka/registry.js';
import { createLogger } from '../log.js';
import { groupsOf, STAGE_NAMES, stageGroups, type StageName } from '../stages/registry.js';
import { LiveConfig } from '../config/live.js';
import { ErpSecretReader } from '../config/secrets.js';
import { InputError } from '../errors/input-error.js';
import { ensureDeploymentTopics, topicsOf } from '../stages/topics.js';
import { AlertDigest } from '../alerts/digest.js';
import { createMailTransport } from '../alerts/mailer.js';
import { DEFAULT_SCHEDULE } from '../delivery/retry-policy.js';
import { createPool } from '../db/pool.js';
import { Health } from '../health/health.js';
import { SHUTDOWN, startEndpoints } from '../http/endpoints.js';
import { waitOut } from '../util/retry.js';
import { projectPath } from '../paths.js';
import { loadSettings } from '../settings.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('bring the stack up (unless REATIVA_STACK=external) and run the processors until Ctrl-C')
    .option('--no-stack', 'do not start the stack, only the processors')
    .option('--mapper-group <id>', 'consumer group of the mapper (default <namespace>-mapper)')
    .option('--routing-group <id>', 'consumer group of routing (default <namespace>-routing)')
    .option('--delivery-group <id>', 'consumer group of delivery; its retry group adds -retry (default <namespace>-delivery)')
    .option('--stages <list>', `the stages this process runs, comma-separated: ${STAGE_NAMES.join(', ')}`, STAGE_NAMES.join(','))
    .action(async (options: { stack: boolean; mapperGroup?: string; routingGroup?: string; deliveryGroup?: string; stages: string }) => {
      const stages = parseStages(options.stages);
      const settings = loadSettings();
      const topics = topicsOf(settings);
      const groups = groupsOf(topics.namespace);
      const logger = createLogger(settings.logLevel);
      // What this process depends on: outages are waited out and reported here (once each); /readyz reads it.
      const health = new Health(logger);
      // Stopping steps, registered as each part starts and run last-started first; a
      // signal during startup waits for the part being started, then stops what runs.
      const stops: (() => Promise<unknown>)[] = [];
      let starting: Promise<unknown> = Promise.resolve();
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        health.setReady(SHUTDOWN, false);
        logger.info({ signal }, 'shutting down');
        starting
          .catch(() => undefined)
          .then(async () => {
            for (const stop of stops.reverse()) await stop();
          })
          .then(() => process.exit(0))
          .catch((error: unknown) => {
            logger.error({ err: error }, 'unclean shutdown');
            process.exit(1);
          });
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      const step = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
        if (stopping) return undefined;
        const running = work();
        starting = running;
        return running;
      };

      // Neither connects yet: the HTTP server is given them before the stack is up.
      const kafka = createKafka(settings, logger);
      const reativaPool = createPool(settings.reativaDatabaseUrl, logger, { name: 'reativa' });
      stops.push(() => reativaPool.end());
      const groupIds = { mapper: options.mapperGroup ?? groups.mapper, routing: options.routingGroup ?? groups.routing, delivery: options.deliveryGroup ?? groups.delivery };
      const topology = { changeTopicPrefix: settings.topicPrefix, retrySteps: settings.delivery.retryScheduleMs.length, topics, groups: groupIds };
      // /healthz answers from here on; /readyz says "not ready" until every stage has started and joined its groups.
      const endpoints = await startEndpoints({ settings, logger, kafka, health, reativaPool, topics, stages, groups: [...stages].flatMap((stage) => stageGroups(stage, topology)) });
      stops.push(() => endpoints.close());

      if (options.stack && settings.stackMode !== 'external') {
        const { createStack } = await import('../stack/stack.js');
        await step(() => createStack(settings, (line) => logger.info(line)).up());
      }
      // Reativa's own state (parked keys, the attempt log) is Reativa's to
      // migrate, whatever the stack: applied files are remembered, so this is
      // a no-op once current. The ERP's database is never migrated here.
      const shuttingDown = () => stopping;
      const own = await step(() => waitOut('reativa database', () => applyMigrations(settings.reativaDatabaseUrl, projectPath('schemas', 'reativa'), 'reativa'), health, undefined, shuttingDown));
      if (own?.applied.length) logger.info({ applied: own.applied }, 'reativa database migrated');
      const registry = createRegistry(settings.schemaRegistryUrl, settings.schemaRegistry);
      // Exit non-zero so the supervisor restarts us; uncommitted batches are processed again.
      const onFatal = () => process.exit(70);
      const common = { topics, sessionTimeoutMs: settings.kafka.sessionTimeoutMs, onFatal, health };
      // Warnings that repeat (dead letters, refusals by partner rules) are summed up once per progress line's interval.
      const warningWindowMs = settings.progressLogIntervalMs;
      const created = await step(() => waitOut('kafka', () => ensureDeploymentTopics(kafka, settings), health, undefined, shuttingDown));
      if (created?.length) logger.info({ created }, 'topics created');

      // Each stage's modules (and the stack's) are loaded only by a process
      // that runs it: a process of one stage keeps the others' code out of
      // its heap (docs/benchmarks.md, "Memory: what holds it").
      if (stages.has('mapper')) {
        // The mapper's state store's LMDB binding also allocates a 16 MB read buffer when it loads.
        const { startMapper } = await import('../stages/mapper/runner.js');
        const mapperSecrets = new ErpSecretReader(settings.erpDatabaseUrl, logger);
        stops.push(() => mapperSecrets.close());
        const mapper = await step(() => startMapper(kafka, registry, logger, {
            ...common,
            topicPrefix: settings.topicPrefix,
            stateDir: settings.state.dir,
            historyMs: settings.state.historyMs,
            groupId: groupIds.mapper,
            // Post-due collection: the collector's grace is an integrator parameter, a secret column read from the ERP by id.
            collection: { secrets: mapperSecrets, pool: reativaPool, timeZone: settings.collection.timeZone, intervalMs: settings.collection.checkIntervalMs },
          }));
        if (!mapper) return;
        stops.push(() => mapper.stop());
        endpoints.mapperStarted(mapper, groupIds.mapper);
      }
      let live: LiveConfig | undefined;
      // The webhooks' alert e-mails: routing's notices (invalid webhooks, refused clients) and delivery's, in one digest per webhook.
      let digest: AlertDigest | undefined;
      if (stages.has('routing') || stages.has('delivery')) {
        const created = new AlertDigest(createMailTransport(settings.smtpUrl, undefined, { ca: settings.smtpTlsCa }), settings.alerts.from, settings.alerts.digestWindowMs, logger, health);
        stops.push(() => created.close());
        digest = created;
      }
      if (stages.has('routing')) {
        // Secrets are read from the ERP with the runtime role (REATIVA_ERP_DATABASE_URL), never from Kafka.
        const secrets = new ErpSecretReader(settings.erpDatabaseUrl, logger);
        const { startRouting } = await import('../stages/routing.js');
        const routing = await step(() => startRouting(kafka, registry, logger, { ...common, groupId: groupIds.routing, secrets, warningWindowMs, ...(digest ? { notices: digest } : {}) }));
        if (!routing) return;
        stops.push(() => routing.stop());
        endpoints.routingStarted(routing);
        live = routing.live;
      }
      if (!stages.has('delivery')) {
        endpoints.started();
        return;
      }
      if (!live) {
        // Delivery alone: a configuration view of its own.
        const own = new LiveConfig(kafka, logger, topics.config, new ErpSecretReader(settings.erpDatabaseUrl, logger));
        const started = await step(() => own.start());
        if (started === undefined && stopping) return;
        stops.push(() => own.stop());
        endpoints.configStarted(own);
        live = own;
      }
      const config = live;
      const mails = digest!;
      const d = settings.delivery;
      const { startDelivery } = await import('../stages/delivery/runner.js');
      const delivery = await step(() =>
        startDelivery(kafka, registry, reativaPool, config, mails, logger, {
          topics,
          groupId: groupIds.delivery,
          schedule: { ...DEFAULT_SCHEDULE, delaysMs: d.retryScheduleMs },
          sender: { connectTimeoutMs: d.connectTimeoutMs, responseTimeoutMs: d.responseTimeoutMs, attemptDeadlineMs: d.attemptDeadlineMs, allowHosts: d.allowHosts, httpsOnly: d.httpsOnly },
          maxInFlightPerWebhook: d.maxInFlightPerWebhook,
          maxPending: d.maxPending,
          breakerThreshold: d.breakerThreshold,
          attemptLogRetentionDays: d.attemptLogRetentionDays,
          sessionTimeoutMs: settings.kafka.sessionTimeoutMs,
          newTopics: settings.topics,
          health,
          observer: endpoints.tally,
          warningWindowMs,
          onFatal,
        }),
      );
      if (!delivery) return;
      stops.push(() => delivery.stop());
      endpoints.deliveryStarted(delivery);
      endpoints.started();
    });
}

/** The --stages list: known names only, at least one. */
export function parseStages(text: string): Set<StageName> {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(STAGE_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) throw new InputError(`--stages: ${unknown.length > 0 ? `unknown stage "${unknown.join('", "')}"` : 'no stage given'}; use some of ${STAGE_NAMES.join(', ')}`);
  return new Set(names as StageName[]);
}
