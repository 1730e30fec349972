// `reativa start` (npm start): brings the stack up unless it is external (which
// also applies the reference ERP schema to the stack's own database), then runs
// Reativa's processors until Ctrl-C or SIGTERM, which leave their consumer
// groups with offsets committed.
import type { Command } from 'commander';
import { createErpPool } from '../db/erp-enrichment.js';
import { createKafka } from '../kafka/client.js';
import { createRegistry } from '../kafka/registry.js';
import { createLogger } from '../log.js';
import { MAPPER_GROUP, startMapper } from '../mapping/runner.js';
import { ROUTING_GROUP, startRouting } from '../routing/runner.js';
import { loadSettings } from '../settings.js';
import { createStack } from '../stack/stack.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('bring the stack up (unless REATIVA_STACK=external) and run the processors until Ctrl-C')
    .option('--no-stack', 'do not start the stack, only the processors')
    .option('--mapper-group <id>', 'consumer group of the mapper', MAPPER_GROUP)
    .option('--routing-group <id>', 'consumer group of routing', ROUTING_GROUP)
    .action(async (options: { stack: boolean; mapperGroup: string; routingGroup: string }) => {
      const settings = loadSettings();
      const logger = createLogger(settings.logLevel);
      if (options.stack && settings.stackMode !== 'external') {
        await createStack(settings, (line) => logger.info(line)).up();
      }
      const kafka = createKafka(settings, logger);
      const erpPool = createErpPool(settings.erpDatabaseUrl);
      const registry = createRegistry(settings.schemaRegistryUrl);
      // Exit non-zero so the supervisor restarts us; uncommitted batches are processed again.
      const onFatal = () => process.exit(70);
      const common = { topicPrefix: settings.topicPrefix, sessionTimeoutMs: settings.kafka.sessionTimeoutMs, onFatal };
      const mapper = await startMapper(kafka, registry, erpPool, logger, { ...common, groupId: options.mapperGroup });
      const routing = await startRouting(kafka, registry, logger, { ...common, groupId: options.routingGroup });
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        Promise.all([mapper.stop(), routing.stop()])
          .then(() => erpPool.end())
          .then(() => process.exit(0))
          .catch((error: unknown) => {
            logger.error({ err: error }, 'unclean shutdown');
            process.exit(1);
          });
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
}
