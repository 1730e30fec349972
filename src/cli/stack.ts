import fs from 'node:fs';
import type { Command } from 'commander';
import { loadSettings } from '../settings.js';
import { createStack } from '../stack/stack.js';
import type { StackStatus } from '../stack/native.js';
import { ProcessTable } from '../stack/processes.js';

export function printStatus(status: StackStatus): void {
  for (const c of status.components) {
    console.log(`${c.up ? 'up  ' : 'DOWN'}  ${c.name.padEnd(9)} ${c.endpoint}${c.detail ? `  (${c.detail})` : ''}`);
  }
  console.log(status.connector ? `connector: ${status.connector.state}, tasks ${status.connector.tasks.join(', ') || 'none'}` : 'connector: not registered');
  console.log(status.slot ? `replication slot ${status.slot.name}: ${status.slot.active ? 'active' : 'inactive'}, lag ${status.slot.lagBytes} bytes` : 'replication slot: none');
}

export function registerStack(program: Command): void {
  const stack = program.command('stack').description('the embedded stack: PostgreSQL, Kafka, Kafka Connect + Debezium, Apicurio Registry, SMTP');

  stack
    .command('up')
    .description('fetch what is missing, start every service, wait until healthy, register the connector')
    .action(async () => {
      const settings = loadSettings();
      await createStack(settings, console.log).up();
      printStatus(await createStack(settings).status());
    });

  stack
    .command('down')
    .description('stop exactly what `stack up` started')
    .action(async () => {
      await createStack(loadSettings(), console.log).down();
    });

  stack
    .command('status')
    .description('each component up or down, connector and task state, replication slot lag')
    .option('--json', 'print the status as one JSON object and nothing else')
    .action(async (options: { json?: boolean }) => {
      const status = await createStack(loadSettings()).status();
      if (options.json) console.log(JSON.stringify(status));
      else printStatus(status);
      if (status.components.some((c) => !c.up)) process.exitCode = 3;
    });

  stack
    .command('logs')
    .argument('[service]', 'postgres | kafka | connect | registry | smtp (default: all)')
    .option('-n, --lines <n>', 'lines per service', '40')
    .description('the last lines of each service log')
    .action((service: string | undefined, options: { lines: string }) => {
      const settings = loadSettings();
      const table = new ProcessTable(settings.stackDir);
      const names = service ? [service] : ['kafka', 'connect', 'registry', 'smtp'];
      for (const name of names) {
        console.log(`==> ${table.logFile(name)} <==`);
        console.log(fs.existsSync(table.logFile(name)) ? table.tail(name, Number(options.lines)) : '(no log)');
      }
    });
}
