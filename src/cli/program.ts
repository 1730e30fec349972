// The `reativa` command's program (main.ts runs it). Each subcommand lives in
// its own file and stays thin: parse, call, print.
import { Command } from 'commander';
import { ReativaError } from '../errors/reativa-error.js';
import { reativaVersion } from '../version.js';

type Register = (program: Command) => void;

/**
 * Each command's module, with the top-level names it registers, in the order
 * help lists them. `reativa <name> …` loads only the module of that name: a
 * stage process (`reativa start`) keeps the other commands' code out of its
 * memory, and with it Node's bundled undici, which an ES import of node:http
 * (the demo's receiver) loads through the module's lazy WebSocket export.
 * Without a known name (`reativa`, `reativa --help`, a typo) every command is
 * registered, so help and commander's suggestions see them all.
 */
const COMMANDS: readonly { readonly names: readonly string[]; readonly load: () => Promise<Register> }[] = [
  { names: ['stack'], load: async () => (await import('./stack.js')).registerStack },
  { names: ['doctor'], load: async () => (await import('./doctor.js')).registerDoctor },
  { names: ['start'], load: async () => (await import('./start.js')).registerStart },
  { names: ['presets', 'webhooks'], load: async () => (await import('./webhooks.js')).registerWebhooks },
  { names: ['lag', 'replay'], load: async () => (await import('./ops.js')).registerOps },
  { names: ['dlq'], load: async () => (await import('./dlq.js')).registerDlq },
  { names: ['demo'], load: async () => (await import('./demo.js')).registerDemo },
];

const program = new Command()
  .name('reativa')
  .description('Reativa: ERP changes to partner webhooks, through Debezium and Kafka')
  .version(reativaVersion(), '-V, --version', 'print the version and exit')
  .showHelpAfterError();

const named = COMMANDS.filter((command) => command.names.includes(process.argv[2] ?? ''));
for (const command of named.length > 0 ? named : COMMANDS) (await command.load())(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  // Reativa's own errors say what is wrong and what to do; anything else is named as unexpected.
  if (error instanceof ReativaError) console.error(error.message);
  else console.error(`reativa: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
  // A client given up on (a broker that never answered) may still hold a socket or a retry timer:
  // the command is over, so it exits once its output is flushed rather than when they run out.
  setTimeout(() => process.exit(1), 500).unref();
});
