// No Docker engine runs here, so docker-compose.yml is checked against the
// native stack instead: same services, same host ports, same versions as
// stack/pom.xml, the same Connect storage topics and converters, and a
// connector registration that reaches the compose PostgreSQL.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConnectorConfig } from '../../../src/capture/connector.js';
import { projectPath } from '../../../src/paths.js';
import { loadSettings } from '../../../src/settings.js';
import { stackEndpoints } from '../../../src/stack/components.js';
import { DOCKER_SECRETS_DIR, dockerConnectDatabaseUrl, dockerConnectSecretsFile } from '../../../src/stack/docker.js';
import { configProviders } from '../../../src/stack/jvm.js';
import { postgresConf } from '../../../src/stack/postgres.js';

interface Service {
  image: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
}
const compose = parse(fs.readFileSync(projectPath('docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const pom = fs.readFileSync(projectPath('stack', 'pom.xml'), 'utf8');
const pomVersion = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(pom)?.[1];
const settings = loadSettings({});
const endpoints = stackEndpoints(settings);

/** host port → container port, from "127.0.0.1:HOST:CONTAINER". */
const published = (service: string) =>
  new Map((compose.services[service]?.ports ?? []).map((p) => {
    const [, host, container] = /(?:[\d.]+:)?(\d+):(\d+)/.exec(p) ?? [];
    return [Number(host), Number(container)] as const;
  }));

describe('docker-compose.yml agrees with the native stack', () => {
  it('has the same services (Reativa itself, built from the Dockerfile, only in the app profile)', () => {
    const stack = Object.entries(compose.services).filter(([, service]) => !service.profiles).map(([name]) => name);
    expect(stack.sort()).toEqual(['connect', 'kafka', 'postgres', 'registry', 'smtp']);
    expect(compose.services.reativa?.profiles).toEqual(['app']);
  });

  it('publishes every service on the native default port', () => {
    expect(published('postgres').get(endpoints.postgres.port)).toBe(5432);
    expect(published('kafka').has(endpoints.kafka.port)).toBe(true);
    expect(published('connect').get(endpoints.connect.port)).toBe(8083);
    expect(published('registry').has(endpoints.registry.port)).toBe(true);
    expect(published('smtp').get(endpoints.smtp.port)).toBe(1025);
    expect(published('smtp').get(endpoints.mailWeb.port)).toBe(1080);
  });

  it('advertises Kafka to the host at the address Reativa connects to', () => {
    expect(String(compose.services.kafka?.environment?.KAFKA_ADVERTISED_LISTENERS)).toContain(`PLAINTEXT://${settings.kafka.brokers[0]}`);
  });

  it('runs the versions stack/pom.xml pins', () => {
    expect(compose.services.kafka?.image).toBe(`apache/kafka:${pomVersion('kafka.version')}`);
    expect(compose.services.connect?.image).toBe(`quay.io/debezium/connect:${pomVersion('debezium.version')}`);
    expect(compose.services.registry?.image).toBe(`quay.io/apicurio/apicurio-registry:${pomVersion('apicurio.version')}`);
    expect(compose.services.smtp?.command).toContain(`maildev@${JSON.parse(fs.readFileSync(projectPath('package.json'), 'utf8')).devDependencies.maildev}`);
  });

  it('gives PostgreSQL the same logical-decoding settings', () => {
    const command = compose.services.postgres?.command?.join(' ') ?? '';
    for (const setting of ['wal_level = logical', 'max_wal_senders = 10', 'max_replication_slots = 10']) {
      expect(postgresConf(54320, '127.0.0.1')).toContain(setting);
      expect(command).toContain(setting.replaceAll(' ', ''));
    }
    expect(compose.services.postgres?.environment?.POSTGRES_USER).toBe(new URL(settings.erpSuperuserDatabaseUrl).username);
  });

  it('configures Connect with the same storage topics and converters', () => {
    const env = compose.services.connect?.environment ?? {};
    expect(env).toMatchObject({
      GROUP_ID: 'reativa-connect',
      CONFIG_STORAGE_TOPIC: 'reativa-connect-configs',
      OFFSET_STORAGE_TOPIC: 'reativa-connect-offsets',
      STATUS_STORAGE_TOPIC: 'reativa-connect-status',
      KEY_CONVERTER: 'org.apache.kafka.connect.json.JsonConverter',
      VALUE_CONVERTER: 'org.apache.kafka.connect.json.JsonConverter',
      CONNECT_KEY_CONVERTER_SCHEMAS_ENABLE: 'false',
      CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE: 'false',
    });
  });

  it("reads Debezium's password from the same kind of file, through the same config provider", () => {
    const env = compose.services.connect?.environment ?? {};
    // The image turns CONNECT_A_B into the worker property a.b.
    const asEnv = (property: string) => `CONNECT_${property.toUpperCase().replaceAll('.', '_')}`;
    for (const [property, value] of Object.entries(configProviders(DOCKER_SECRETS_DIR))) expect(env[asEnv(property)]).toBe(value);
    expect(compose.services.connect?.volumes).toContain(`./.stack/secrets:${DOCKER_SECRETS_DIR}:ro`);
    const docker = loadConnectorConfig({ ...settings, connectErpDatabaseUrl: dockerConnectDatabaseUrl(settings), connectSecretsFile: dockerConnectSecretsFile(settings) });
    expect(docker['database.password']).toBe(`\${file:${DOCKER_SECRETS_DIR}/connect-erp.properties:password}`);
  });

  it('registers the same connector, pointed at the compose PostgreSQL', () => {
    const native = loadConnectorConfig(settings);
    const docker = loadConnectorConfig({ ...settings, connectErpDatabaseUrl: dockerConnectDatabaseUrl(settings) });
    expect(docker['database.hostname']).toBe('postgres');
    expect(docker['database.user']).toBe(native['database.user']);
    expect(docker['database.port']).toBe('5432');
    expect(Object.keys(compose.services)).toContain(docker['database.hostname']);
    const { ['database.hostname']: _h1, ['database.port']: _p1, ...nativeRest } = native;
    const { ['database.hostname']: _h2, ['database.port']: _p2, ...dockerRest } = docker;
    expect(dockerRest).toEqual(nativeRest);
  });
});
