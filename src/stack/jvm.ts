// Configuration and command lines of the stack's JVM services: one Kafka node
// in KRaft combined mode (broker + controller), one Kafka Connect distributed
// worker with the Debezium plugin, and Apicurio Registry with in-memory storage.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectPath } from '../paths.js';
import type { ArtifactLayout } from './artifacts.js';
import type { LaunchSpec } from './processes.js';

const LOG4J = `-Dlog4j2.configurationFile=${projectPath('stack', 'log4j2.yaml')}`;
const classpath = (layout: ArtifactLayout) => `${layout.kafkaLibs}/*`;

const properties = (entries: Record<string, string | number>) =>
  `${Object.entries(entries).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;

export interface KafkaNode {
  readonly host: string;
  readonly port: number;
  readonly controllerPort: number;
  /** A second listener, SASL_PLAINTEXT with SCRAM-SHA-512, for testing Reativa's SASL client against a real broker. */
  readonly saslPort: number;
  readonly dataDir: string;
  readonly configFile: string;
}

export function kafkaNode(stackDir: string, host: string, port: number, controllerPort: number, saslPort: number): KafkaNode {
  return {
    host,
    port,
    controllerPort,
    saslPort,
    dataDir: path.join(stackDir, 'kafka', 'data'),
    configFile: path.join(stackDir, 'kafka', 'server.properties'),
  };
}

/** The SCRAM mechanism of the embedded broker's SASL listener. */
export const EMBEDDED_SCRAM_MECHANISM = 'SCRAM-SHA-512';

/** The properties the broker was started with; writing returns them, so a caller can tell a change. */
export function writeKafkaConfig(node: KafkaNode): string {
  fs.mkdirSync(path.dirname(node.configFile), { recursive: true });
  const content = properties({
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.bootstrap.servers': `${node.host}:${node.controllerPort}`,
    listeners: `PLAINTEXT://${node.host}:${node.port},CONTROLLER://${node.host}:${node.controllerPort},SASL://${node.host}:${node.saslPort}`,
    'advertised.listeners': `PLAINTEXT://${node.host}:${node.port},CONTROLLER://${node.host}:${node.controllerPort},SASL://${node.host}:${node.saslPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL:SASL_PLAINTEXT',
    // The SASL listener: SCRAM-SHA-512 only, its users in the KRaft metadata (src/stack/kafka-scram.ts makes Reativa's).
    'sasl.enabled.mechanisms': EMBEDDED_SCRAM_MECHANISM,
    'listener.name.sasl.sasl.enabled.mechanisms': EMBEDDED_SCRAM_MECHANISM,
    'listener.name.sasl.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'log.dirs': node.dataDir,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    // Share groups are on by default in 4.3: their state topic needs RF 1 on one node too.
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    // Reativa creates its topics explicitly (src/kafka/topics.ts); Connect creates its own.
    'auto.create.topics.enable': 'false',
    'log.cleaner.min.compaction.lag.ms': 0,
  });
  fs.writeFileSync(node.configFile, content);
  return content;
}

export const isKafkaFormatted = (node: KafkaNode) => fs.existsSync(path.join(node.dataDir, 'meta.properties'));

/**
 * Arguments of the one-off storage format run (a new cluster id each fresh
 * stack). The id is joined to its option: base64url ids start with '-' one
 * time in 64, which the tool's parser would take for an option of its own.
 */
export function kafkaFormatArgs(layout: ArtifactLayout, node: KafkaNode, id: string = clusterId()): string[] {
  return [LOG4J, '-cp', classpath(layout), 'kafka.tools.StorageTool', 'format', '--standalone', `--cluster-id=${id}`, '-c', node.configFile];
}

/** A KRaft cluster id: 16 random bytes, base64url without padding. */
function clusterId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
}

export function kafkaLaunch(java: string, layout: ArtifactLayout, node: KafkaNode, stackDir: string): LaunchSpec {
  return {
    name: 'kafka',
    command: java,
    args: ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true', LOG4J, '-cp', classpath(layout), 'kafka.Kafka', node.configFile],
    cwd: stackDir,
  };
}

export interface ConnectWorker {
  readonly host: string;
  readonly port: number;
  readonly configFile: string;
}

/**
 * Kafka Connect's FileConfigProvider: a connector's `${file:<path>:<key>}`
 * is resolved from that properties file when its task starts, so secrets (the
 * database password) stay out of the connector's configuration, its REST
 * answers and its config topic. Only files under `secretsDir` may be read.
 */
export function configProviders(secretsDir: string): Record<string, string> {
  return {
    'config.providers': 'file',
    'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
    'config.providers.file.param.allowed.paths': secretsDir,
  };
}

export function writeConnectConfig(stackDir: string, layout: ArtifactLayout, brokers: readonly string[], host: string, port: number, secretsDir: string): ConnectWorker {
  const configFile = path.join(stackDir, 'connect', 'connect-distributed.properties');
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  const content = properties({
    'bootstrap.servers': brokers.join(','),
    'group.id': 'reativa-connect',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter.schemas.enable': 'false',
    'config.storage.topic': 'reativa-connect-configs',
    'offset.storage.topic': 'reativa-connect-offsets',
    'status.storage.topic': 'reativa-connect-status',
    'config.storage.replication.factor': 1,
    'offset.storage.replication.factor': 1,
    'status.storage.replication.factor': 1,
    'offset.storage.partitions': 1,
    'status.storage.partitions': 1,
    // Source offsets (the slot LSN Debezium confirmed) are flushed this often;
    // a clean stop flushes them too, so a restart resumes where it left off.
    'offset.flush.interval.ms': 5000,
    listeners: `http://${host}:${port}`,
    'rest.advertised.host.name': host,
    'rest.advertised.port': port,
    'plugin.path': layout.plugins,
    // Every plugin here has ServiceLoader manifests: skips a 7 s classpath scan.
    'plugin.discovery': 'service_load',
    'topic.creation.enable': 'true',
    // Commit-to-Kafka latency: Debezium's batches go out at once (docs/benchmarks.md).
    // No compression: kafkajs reads only gzip without plugins, and this is loopback.
    'producer.linger.ms': 1,
    'producer.batch.size': 262144,
    ...configProviders(secretsDir),
  });
  fs.writeFileSync(configFile, content);
  return { host, port, configFile };
}

export function connectLaunch(java: string, layout: ArtifactLayout, worker: ConnectWorker, stackDir: string): LaunchSpec {
  return {
    name: 'connect',
    command: java,
    args: ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true', LOG4J, '-cp', classpath(layout), 'org.apache.kafka.connect.cli.ConnectDistributed', worker.configFile],
    cwd: stackDir,
  };
}

/** Apicurio Registry 3.x (needs Java 21+), in-memory storage (its default). */
export function registryLaunch(java: string, layout: ArtifactLayout, host: string, port: number, stackDir: string): LaunchSpec {
  return {
    name: 'registry',
    command: java,
    args: [
      '-Xms64m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
      `-Dquarkus.http.host=${host}`,
      `-Dquarkus.http.port=${port}`,
      // Quarkus always opens a management interface (0.0.0.0:9000 by default, not
      // switchable at run time): keep it on loopback, on a free port of its choosing.
      `-Dquarkus.management.host=${host}`,
      '-Dquarkus.management.port=0',
      '-Dquarkus.http.access-log.enabled=false',
      '-Dquarkus.log.console.format=%d{HH:mm:ss,SSS} %-5p [%c{1.}] %s%e%n',
      '-jar', path.join(layout.apicurio, 'quarkus-run.jar'),
    ],
    cwd: stackDir,
  };
}
