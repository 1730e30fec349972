#!/usr/bin/env node
// The `reativa` command. Each subcommand lives in its own file and stays thin:
// parse, call, print.
import { Command } from 'commander';
import { ReativaError } from '../errors/reativa-error.js';
import { registerDoctor } from './doctor.js';
import { registerStack } from './stack.js';
import { registerStart } from './start.js';
import { registerWebhooks } from './webhooks.js';
import { registerOps } from './ops.js';
import { registerDlq } from './dlq.js';

const program = new Command()
  .name('reativa')
  .description('Reativa: ERP changes to partner webhooks, through Debezium and Kafka')
  .showHelpAfterError();

registerStack(program);
registerDoctor(program);
registerStart(program);
registerWebhooks(program);
registerOps(program);
registerDlq(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  // Reativa's own errors say what is wrong and what to do; anything else is named as unexpected.
  if (error instanceof ReativaError) console.error(error.message);
  else console.error(`reativa: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
