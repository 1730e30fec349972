// The `reativa` command's program (main.ts runs it). Each subcommand lives in
// its own file and stays thin: parse, call, print.
import { Command } from 'commander';
import { ReativaError } from '../errors/reativa-error.js';
import { registerDoctor } from './doctor.js';
import { registerStack } from './stack.js';
import { registerStart } from './start.js';
import { registerWebhooks } from './webhooks.js';
import { registerOps } from './ops.js';
import { registerDlq } from './dlq.js';
import { registerDemo } from './demo.js';
import { reativaVersion } from '../version.js';

const program = new Command()
  .name('reativa')
  .description('Reativa: ERP changes to partner webhooks, through Debezium and Kafka')
  .version(reativaVersion(), '-V, --version', 'print the version and exit')
  .showHelpAfterError();

registerStack(program);
registerDoctor(program);
registerStart(program);
registerWebhooks(program);
registerOps(program);
registerDlq(program);
registerDemo(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  // Reativa's own errors say what is wrong and what to do; anything else is named as unexpected.
  if (error instanceof ReativaError) console.error(error.message);
  else console.error(`reativa: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
  // A client given up on (a broker that never answered) may still hold a socket or a retry timer:
  // the command is over, so it exits once its output is flushed rather than when they run out.
  setTimeout(() => process.exit(1), 500).unref();
});
