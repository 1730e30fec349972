// `reativa doctor`: every prerequisite and every service, each named with what
// is wrong and how to fix it. Exit code 1 when any check fails.
import type { Command } from 'commander';
import { loadConnectorConfig } from '../capture/connector.js';
import { loadSettings, type Settings } from '../settings.js';
import { PORT_SETTING, stackEndpoints, type StackEndpoints } from '../stack/components.js';
import { collectStatus } from '../stack/native.js';
import { isFree } from '../stack/ports.js';
import { findJava, findMaven, findPostgres, findPostgresUser } from '../stack/prerequisites.js';
import { createClient } from '../db/pool.js';

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

async function walLevel(url: string): Promise<string> {
  const client = createClient({ connectionString: url, connectionTimeoutMillis: 3000, query_timeout: 3000 });
  await client.connect();
  try {
    return (await client.query<{ wal_level: string }>('SHOW wal_level')).rows[0]?.wal_level ?? 'unknown';
  } finally {
    await client.end();
  }
}

export async function runChecks(settings: Settings): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, lookup: { ok: true; detail: string } | { ok: false; problem: string; fix: string }) =>
    checks.push(lookup.ok ? { name, ok: true, detail: lookup.detail } : { name, ok: false, detail: lookup.problem, fix: lookup.fix });

  if (settings.stackMode === 'native') {
    add('java (Kafka, Connect)', findJava());
    add('java 21+ (Apicurio Registry)', findJava(21, settings.registryJavaHome));
    add('maven', findMaven());
    add('postgresql binaries', findPostgres(settings.pgBin));
    add('postgresql os user', findPostgresUser());
  }

  const status = await collectStatus(settings);
  const endpoints = stackEndpoints(settings);
  const componentPort: Record<string, keyof StackEndpoints> = { postgres: 'postgres', kafka: 'kafka', connect: 'connect', registry: 'registry', smtp: 'smtp' };
  for (const c of status.components) {
    if (c.up) {
      checks.push({ name: c.name, ok: true, detail: `${c.endpoint}${c.detail ? ` (${c.detail})` : ''}` });
      continue;
    }
    const key = componentPort[c.name] as keyof StackEndpoints;
    const endpoint = endpoints[key];
    const free = await isFree(endpoint.host, endpoint.port).catch(() => true);
    checks.push({
      name: c.name,
      ok: false,
      detail: free ? `not reachable at ${c.endpoint}` : `${endpoint.host}:${endpoint.port} is taken by a process that is not ${c.name}`,
      fix: free
        ? settings.stackMode === 'external'
          ? `start it, or point ${PORT_SETTING[key]} at it`
          : 'npm run stack:up (then npm run stack:logs if it does not come up)'
        : `stop the process holding ${endpoint.host}:${endpoint.port} (ss -ltnp 'sport = :${endpoint.port}'), or move ${c.name} with ${PORT_SETTING[key]}`,
    });
  }

  const pgUp = status.components.find((c) => c.name === 'postgres')?.up;
  if (pgUp) {
    // The embedded stack's superuser can ask before `stack up` has made Reativa's roles; an external cluster is asked as Reativa.
    const level = await walLevel(settings.stackMode === 'external' ? settings.erpDatabaseUrl : settings.erpSuperuserDatabaseUrl).catch((e: Error) => `error: ${e.message}`);
    checks.push(
      level === 'logical'
        ? { name: 'wal_level', ok: true, detail: 'logical' }
        : { name: 'wal_level', ok: false, detail: `ERP database has wal_level=${level}`, fix: "ALTER SYSTEM SET wal_level = 'logical' and restart PostgreSQL (the embedded stack sets it at initdb)" },
    );
    const slotName = loadConnectorConfig(settings)['slot.name'] ?? 'reativa_erp';
    checks.push(
      status.slot
        ? { name: 'replication slot', ok: true, detail: `${status.slot.name} ${status.slot.active ? 'active' : 'inactive'}, lag ${status.slot.lagBytes} bytes` }
        : { name: 'replication slot', ok: false, detail: `slot ${slotName} does not exist`, fix: 'the connector creates it on first start: npm run stack:up registers the connector' },
    );
  }
  const connectUp = status.components.find((c) => c.name === 'connect')?.up;
  if (connectUp) {
    const running = status.connector?.state === 'RUNNING' && status.connector.tasks.length > 0 && status.connector.tasks.every((t) => t.endsWith(':RUNNING'));
    checks.push(
      running
        ? { name: 'connector', ok: true, detail: `${settings.connectorName} RUNNING` }
        : {
            name: 'connector',
            ok: false,
            detail: status.connector ? `${settings.connectorName} ${status.connector.state}, tasks ${status.connector.tasks.join(', ') || 'none'}` : `${settings.connectorName} not registered`,
            fix: status.connector
              ? `curl -s ${settings.connectUrl}/connectors/${settings.connectorName}/status for the trace; restart with curl -X POST '${settings.connectUrl}/connectors/${settings.connectorName}/restart?includeTasks=true'`
              : 'npm run stack:up registers it',
          },
    );
  }
  return checks;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check prerequisites and every service; name what is missing and how to fix it')
    .action(async () => {
      const checks = await runChecks(loadSettings());
      for (const c of checks) {
        console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(30)} ${c.detail}`);
        if (c.fix) console.log(`      fix: ${c.fix}`);
      }
      const failed = checks.filter((c) => !c.ok).length;
      console.log(failed === 0 ? 'all checks passed' : `${failed} check(s) failed`);
      if (failed > 0) process.exitCode = 1;
    });
}
