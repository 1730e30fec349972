// The native embedded stack: PostgreSQL, Kafka (KRaft), Kafka Connect with
// Debezium, Apicurio Registry and MailDev as plain local processes.
// `up` is idempotent: it starts only what is not running, and waits on health.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConnectClient, loadConnectorConfig, registerConnector } from '../capture/connector.js';
import { replicationSlot } from '../capture/slot.js';
import { applyMigrations } from '../db/migrations.js';
import { kafkaBrokerCount } from '../kafka/health.js';
import { setGlobalCompatibility, registryHealthy } from '../kafka/registry.js';
import { createKafka, kafkaConnection } from '../kafka/client.js';
import { ensureDeploymentTopics } from '../stages/topics.js';
import { createLogger } from '../log.js';
import { projectPath } from '../paths.js';
import type { Settings } from '../settings.js';
import { artifactLayout, artifactsCurrent, fetchArtifacts, type ArtifactLayout } from './artifacts.js';
import { PORT_SETTING, stackEndpoints, type StackEndpoints } from './components.js';
import {
  connectLaunch,
  isKafkaFormatted,
  kafkaFormatArgs,
  kafkaLaunch,
  kafkaNode,
  registryLaunch,
  writeConnectConfig,
  writeKafkaConfig,
} from './jvm.js';
import { isFree } from './ports.js';
import { ensureScramUser } from './kafka-scram.js';
import { ensureErpGrants, ensureRoles } from './erp-roles.js';
import * as postgres from './postgres.js';
import { findJava, findMaven, findPostgres, findPostgresUser, type Lookup } from './prerequisites.js';
import { ProcessTable } from './processes.js';
import { smtpHealthy, smtpLaunchSpec } from './smtp.js';
import { StackError } from '../errors/stack-error.js';
import { waitFor } from '../util/wait.js';

const execFileAsync = promisify(execFile);

export type Print = (line: string) => void;

interface Tools {
  readonly java: string;
  readonly registryJava: string;
  readonly mvn: string;
  readonly cluster: postgres.PostgresCluster;
}

/** Every prerequisite at once, so one run names everything that is missing. */
export function resolveTools(settings: Settings): Tools {
  const java = findJava();
  const registryJava = findJava(21, settings.registryJavaHome);
  const mvn = findMaven();
  const pgBin = findPostgres(settings.pgBin);
  const pgUser = findPostgresUser();
  const lookups: Lookup<unknown>[] = [java, registryJava, mvn, pgBin, pgUser];
  const problems = lookups.filter((l): l is Extract<typeof l, { ok: false }> => !l.ok);
  if (problems.length > 0 || !java.ok || !registryJava.ok || !mvn.ok || !pgBin.ok || !pgUser.ok) {
    throw new StackError(`missing prerequisites:\n${problems.map((p) => `  - ${p.problem}\n    fix: ${p.fix}`).join('\n')}`);
  }
  return {
    java: java.value,
    registryJava: registryJava.value,
    mvn: mvn.value,
    // The superuser the cluster is made with (initdb -U) is the one the stack's superuser URL names.
    cluster: postgres.describeCluster(settings.stackDir, pgBin.value, settings.erpSuperuserDatabaseUrl, pgUser.value),
  };
}

export class NativeStack {
  readonly processes: ProcessTable;
  readonly endpoints: StackEndpoints;
  readonly layout: ArtifactLayout;

  constructor(readonly settings: Settings, private readonly print: Print = () => undefined) {
    this.processes = new ProcessTable(settings.stackDir);
    this.endpoints = stackEndpoints(settings);
    this.layout = artifactLayout(settings.stackDir);
  }

  async up(): Promise<void> {
    const started = Date.now();
    const tools = resolveTools(this.settings);
    await this.checkPorts(tools);
    if (!artifactsCurrent(this.layout)) {
      this.print('fetching Kafka, Kafka Connect, Debezium and Apicurio from Maven Central (first run only)…');
      await fetchArtifacts(tools.mvn, this.layout, this.print);
    }
    await this.startPostgres(tools);
    // The JVMs start in parallel: each takes seconds of CPU to boot on a small machine.
    await this.startKafka(tools);
    this.startRegistry(tools);
    this.startSmtp();
    await this.waitKafka();
    await this.ensureScramUser(tools);
    // Before Connect starts: the change log must exist, one partition and compacted, before Debezium writes to it.
    const created = await ensureDeploymentTopics(createKafka(this.settings, createLogger('warn', undefined, undefined, { fd: 2 })), this.settings);
    if (created.length > 0) this.print(`  topics created: ${created.length}`);
    await this.startConnect(tools);
    await this.waitRegistry();
    await this.waitSmtp();
    this.print('registering the Debezium connector…');
    await registerConnector(this.settings);
    this.print(`stack healthy in ${Math.round((Date.now() - started) / 1000)} s`);
  }

  private async checkPorts(tools: Tools): Promise<void> {
    const owned: Record<keyof StackEndpoints, boolean> = {
      postgres: await postgres.isRunning(tools.cluster),
      kafka: !!this.processes.running('kafka'),
      kafkaController: !!this.processes.running('kafka'),
      kafkaSasl: !!this.processes.running('kafka'),
      connect: !!this.processes.running('connect'),
      registry: !!this.processes.running('registry'),
      smtp: !!this.processes.running('smtp'),
      mailWeb: !!this.processes.running('smtp'),
    };
    const taken: string[] = [];
    for (const [name, endpoint] of Object.entries(this.endpoints) as [keyof StackEndpoints, StackEndpoints[keyof StackEndpoints]][]) {
      if (!owned[name] && !(await isFree(endpoint.host, endpoint.port))) {
        taken.push(`  - ${name}: ${endpoint.host}:${endpoint.port} is already in use by another process; stop it, or move this service with ${PORT_SETTING[name]}`);
      }
    }
    if (taken.length > 0) throw new StackError(`ports taken:\n${taken.join('\n')}`);
  }

  private async startPostgres(tools: Tools): Promise<void> {
    const { cluster } = tools;
    if (!postgres.isInitialised(cluster)) {
      this.print(`creating PostgreSQL cluster in ${cluster.dataDir} (wal_level=logical, port ${cluster.port})…`);
      await postgres.initCluster(cluster);
    }
    if (!(await postgres.isRunning(cluster))) {
      this.print('starting PostgreSQL…');
      await postgres.startCluster(cluster);
    }
    const erpDb = new URL(this.settings.erpSuperuserDatabaseUrl).pathname.slice(1);
    const reativaDb = new URL(this.settings.reativaDatabaseUrl).pathname.slice(1);
    await postgres.ensureDatabases(this.settings.erpSuperuserDatabaseUrl, [erpDb, reativaDb]);
    await applySchemas(this.settings, this.print);
  }

  private kafkaNode() {
    return kafkaNode(this.settings.stackDir, this.endpoints.kafka.host, this.endpoints.kafka.port, this.endpoints.kafkaController.port, this.endpoints.kafkaSasl.port);
  }

  private async startKafka(tools: Tools): Promise<void> {
    const node = this.kafkaNode();
    const current = writeKafkaConfig(node);
    // A broker reads its properties only when it starts: one running with other
    // properties than these (a stack from before the SASL listener, say) is
    // restarted, cleanly, once; clients wait the outage out and reconnect.
    const startedWith = `${node.configFile}.started`;
    if (this.processes.running('kafka')) {
      if (fs.existsSync(startedWith) && fs.readFileSync(startedWith, 'utf8') === current) return;
      this.print("Kafka's configuration changed: restarting the broker…");
      await this.processes.stop('kafka', 60_000);
    }
    if (!isKafkaFormatted(node)) {
      this.print('formatting Kafka storage (KRaft)…');
      await execFileAsync(tools.java, kafkaFormatArgs(this.layout, node), { timeout: 60_000 });
    }
    this.print('starting Kafka…');
    this.processes.launch(kafkaLaunch(tools.java, this.layout, node, this.settings.stackDir));
    fs.writeFileSync(startedWith, current);
  }

  private async waitKafka(): Promise<void> {
    await this.waitService('kafka', 'Kafka', async () => (await kafkaBrokerCount(this.settings.kafka.brokers)) > 0, 90_000);
  }

  /** Kafka alone: started, or restarted if its configuration changed; healthy, with its SCRAM user. */
  async upKafka(tools: Tools = resolveTools(this.settings)): Promise<void> {
    await this.startKafka(tools);
    await this.waitKafka();
    await this.ensureScramUser(tools);
  }

  /** The SASL listener's SCRAM user (src/stack/kafka-scram.ts), once per cluster. */
  private async ensureScramUser(tools: Tools): Promise<void> {
    if (await ensureScramUser(tools.java, this.layout, this.kafkaNode(), this.settings.stackDir)) {
      this.print(`  Kafka SCRAM user made for the SASL listener (${this.endpoints.kafkaSasl.host}:${this.endpoints.kafkaSasl.port})`);
    }
  }

  private startRegistry(tools: Tools): void {
    if (this.processes.running('registry')) return;
    this.print('starting Apicurio Registry…');
    this.processes.launch(registryLaunch(tools.registryJava, this.layout, this.endpoints.registry.host, this.endpoints.registry.port, this.settings.stackDir));
  }

  private async waitRegistry(): Promise<void> {
    await this.waitService('registry', 'Apicurio Registry', () => registryHealthy(this.settings.schemaRegistryUrl), 90_000);
    await setGlobalCompatibility(this.settings.schemaRegistryUrl, 'BACKWARD');
  }

  private startSmtp(): void {
    if (this.processes.running('smtp')) return;
    this.print('starting SMTP (MailDev)…');
    this.processes.launch(smtpLaunchSpec(this.settings.stackDir, this.endpoints.smtp, this.endpoints.mailWeb));
  }

  private async waitSmtp(): Promise<void> {
    await this.waitService('smtp', 'SMTP (MailDev)', () => smtpHealthy(this.settings.mailWebUrl), 30_000);
  }

  async startConnect(tools: Tools = resolveTools(this.settings)): Promise<void> {
    const secretsDir = path.dirname(this.settings.connectSecretsFile);
    const worker = writeConnectConfig(this.settings.stackDir, this.layout, this.settings.kafka.brokers, this.endpoints.connect.host, this.endpoints.connect.port, secretsDir);
    // A worker reads its properties only when it starts: one running with other
    // properties than these (a stack from before the config providers, say)
    // is restarted, cleanly (offsets flushed; Debezium resumes from the slot).
    const startedWith = `${worker.configFile}.started`;
    const current = fs.readFileSync(worker.configFile, 'utf8');
    if (this.processes.running('connect') && (!fs.existsSync(startedWith) || fs.readFileSync(startedWith, 'utf8') !== current)) {
      this.print("Kafka Connect's worker configuration changed: restarting Kafka Connect…");
      await this.processes.stop('connect', 30_000);
    }
    if (!this.processes.running('connect')) {
      this.print('starting Kafka Connect…');
      this.processes.launch(connectLaunch(tools.java, this.layout, worker, this.settings.stackDir));
      fs.writeFileSync(startedWith, current);
    }
    const client = new ConnectClient(this.settings.connectUrl, 3000);
    await this.waitService(
      'connect',
      'Kafka Connect with the Debezium plugin',
      async () => (await client.plugins()).includes('io.debezium.connector.postgresql.PostgresConnector'),
      120_000,
    );
  }

  /**
   * Restarts PostgreSQL (fast shutdown: sessions are cut, as a failover or an
   * operator's restart would), for tests that prove outages are waited out.
   */
  async restartPostgres(tools: Tools = resolveTools(this.settings)): Promise<void> {
    await postgres.stopCluster(tools.cluster);
    await postgres.startCluster(tools.cluster);
  }

  /** Stops the Kafka broker (a clean shutdown) and starts it again, waiting until it answers. */
  async restartKafka(tools: Tools = resolveTools(this.settings)): Promise<void> {
    await this.processes.stop('kafka', 60_000);
    await this.startKafka(tools);
    await this.waitKafka();
    await this.ensureScramUser(tools);
  }

  /** Stops Connect alone (clean stop: it flushes source offsets first). */
  async stopConnect(): Promise<void> {
    await this.processes.stop('connect', 30_000);
  }

  private async waitService(name: string, label: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const started = Date.now();
    await waitFor(
      label,
      async () => {
        if (!this.processes.running(name)) {
          throw new StackError(`${label} exited during startup; last log lines:\n${this.processes.tail(name)}`);
        }
        return check();
      },
      { timeoutMs, intervalMs: 300, onWaiting: (ms) => this.print(`  waiting for ${label}… ${Math.round(ms / 1000)} s`) },
    ).catch((error: unknown) => {
      if (error instanceof StackError) throw error;
      throw new StackError(`${(error as Error).message}\nlast log lines of ${this.processes.logFile(name)}:\n${this.processes.tail(name)}`);
    });
    this.print(`  ${label} healthy (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }

  /** Stops everything this stack started, Connect first so its offsets are flushed. */
  async down(): Promise<void> {
    for (const name of ['connect', 'registry', 'kafka', 'smtp']) {
      if (await this.processes.stop(name)) this.print(`stopped ${name}`);
    }
    const pgBin = findPostgres(this.settings.pgBin);
    const pgUser = findPostgresUser();
    if (pgBin.ok && pgUser.ok) {
      const cluster = postgres.describeCluster(this.settings.stackDir, pgBin.value, this.settings.erpSuperuserDatabaseUrl, pgUser.value);
      if (await postgres.stopCluster(cluster)) this.print('stopped postgres');
    }
  }

  async status(): Promise<StackStatus> {
    const pgBin = findPostgres(this.settings.pgBin);
    const pgUser = findPostgresUser();
    const pgUp =
      pgBin.ok && pgUser.ok
        ? await postgres.isRunning(postgres.describeCluster(this.settings.stackDir, pgBin.value, this.settings.erpSuperuserDatabaseUrl, pgUser.value))
        : false;
    return collectStatus(this.settings, {
      postgres: pgUp,
      kafka: !!this.processes.running('kafka'),
      connect: !!this.processes.running('connect'),
      registry: !!this.processes.running('registry'),
      smtp: !!this.processes.running('smtp'),
    });
  }
}

/**
 * The roles (src/stack/erp-roles.ts), the reference ERP schema (as the
 * superuser: it stands for the ERP's own), Reativa's own schema (as its runtime
 * role, which owns that database), then the publication and each role's
 * grants on the ERP. Each file once; roles and grants brought back to what
 * erp-roles.ts says on every run. `connectSecretsFile`: where Debezium's
 * password is kept on this machine.
 */
export async function applySchemas(settings: Settings, print: Print, connectSecretsFile = settings.connectSecretsFile): Promise<void> {
  const plan = await ensureRoles(settings, connectSecretsFile);
  const erp = await applyMigrations(settings.erpSuperuserDatabaseUrl, projectPath('schemas', 'erp'), 'reativa_cdc');
  const own = await applyMigrations(settings.reativaDatabaseUrl, projectPath('schemas', 'reativa'), 'reativa');
  await ensureErpGrants(settings, plan);
  const applied = [...erp.applied.map((f) => `erp/${f}`), ...own.applied.map((f) => `reativa/${f}`)];
  if (applied.length > 0) print(`  schema applied: ${applied.join(', ')}`);
}

export interface ComponentStatus {
  readonly name: string;
  readonly endpoint: string;
  readonly up: boolean;
  readonly detail?: string;
}

export interface StackStatus {
  readonly components: readonly ComponentStatus[];
  readonly connector?: { readonly state: string; readonly tasks: readonly string[] };
  readonly slot?: { readonly name: string; readonly active: boolean; readonly lagBytes: number };
}

async function probe<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch {
    return undefined;
  }
}

/** Health of every endpoint, whoever runs it; `processes` says which processes of ours are alive. */
export async function collectStatus(settings: Settings, processes?: Record<string, boolean>): Promise<StackStatus> {
  const e = stackEndpoints(settings);
  const at = (p: { host: string; port: number }) => `${p.host}:${p.port}`;
  // As Reativa's processes reach the cluster (TLS, SASL), which for an external one is what matters.
  const brokers = await probe(() => kafkaBrokerCount(kafkaConnection(settings)));
  const connectClient = new ConnectClient(settings.connectUrl, 3000);
  const plugins = await probe(() => connectClient.plugins());
  const registry = await probe(() => registryHealthy(settings.schemaRegistryUrl, settings.schemaRegistry));
  const smtp = await probe(() => smtpHealthy(settings.mailWebUrl));
  // The embedded stack's superuser sees the cluster before its roles exist; an external cluster is seen as Reativa sees it.
  const pgUrl = settings.stackMode === 'external' ? settings.erpDatabaseUrl : settings.erpSuperuserDatabaseUrl;
  const pgUp = await probe(async () => {
    await postgres.ensureDatabases(pgUrl, []);
    return true;
  });
  const note = (name: string) => (processes && processes[name] === false ? 'process not running' : undefined);
  const components: ComponentStatus[] = [
    { name: 'postgres', endpoint: at(e.postgres), up: !!pgUp, ...(note('postgres') ? { detail: note('postgres') } : {}) },
    { name: 'kafka', endpoint: at(e.kafka), up: (brokers ?? 0) > 0, ...(brokers ? { detail: `${brokers} broker(s)` } : {}) },
    { name: 'connect', endpoint: settings.connectUrl, up: !!plugins, ...(plugins ? { detail: plugins.includes('io.debezium.connector.postgresql.PostgresConnector') ? 'Debezium plugin loaded' : 'Debezium plugin MISSING' } : {}) },
    { name: 'registry', endpoint: settings.schemaRegistryUrl, up: !!registry },
    { name: 'smtp', endpoint: `${at(e.smtp)} (web ${settings.mailWebUrl})`, up: !!smtp },
  ];
  const status: { components: ComponentStatus[]; connector?: StackStatus['connector']; slot?: StackStatus['slot'] } = { components };
  const connector = plugins ? await probe(() => connectClient.status(settings.connectorName)) : undefined;
  if (connector) status.connector = { state: connector.connector, tasks: connector.tasks.map((t) => `${t.id}:${t.state}`) };
  const slotName = loadConnectorConfig(settings)['slot.name'] ?? 'reativa_erp';
  const slot = pgUp ? await probe(() => replicationSlot(pgUrl, slotName)) : undefined;
  if (slot) status.slot = slot;
  return status;
}
