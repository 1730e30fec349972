// `reativa start` (npm start): brings the stack up unless it is external,
// applies the reference ERP schema where the stack owns the database, and runs
// the processor until Ctrl-C, which leaves the consumer group cleanly.
import type { Command } from 'commander';
import { startChangeLogger } from '../capture/change-logger.js';
import { createKafka } from '../kafka/client.js';
import { createLogger } from '../log.js';
import { loadSettings } from '../settings.js';
import { createStack } from '../stack/stack.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('bring the stack up (unless REATIVA_STACK=external) and run the processor until Ctrl-C')
    .option('--no-stack', 'do not start the stack, only the processor')
    .option('--group <id>', 'consumer group id', 'reativa-mapper')
    .option('--from-beginning', 'a new group starts at the oldest retained change instead of the newest')
    .action(async (options: { stack: boolean; group: string; fromBeginning?: boolean }) => {
      const settings = loadSettings();
      const logger = createLogger(settings.logLevel);
      if (options.stack && settings.stackMode !== 'external') {
        await createStack(settings, (line) => logger.info(line)).up();
      }
      const kafka = createKafka(settings, logger);
      const running = await startChangeLogger(kafka, logger, {
        topicPrefix: settings.topicPrefix,
        groupId: options.group,
        fromBeginning: options.fromBeginning ?? false,
      });
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        running
          .stop()
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
