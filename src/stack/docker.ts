// REATIVA_STACK=docker: the same services from docker-compose.yml, started
// through testcontainers' compose support, for users who have a Docker engine.
// No engine runs on the project's own machines, so this path is covered by a
// test that checks docker-compose.yml against the native stack, not by a run.
import path from 'node:path';
import { registerConnector } from '../capture/connector.js';
import { StackError } from '../errors/stack-error.js';
import { setGlobalCompatibility, registryHealthy } from '../kafka/registry.js';
import { projectPath, PROJECT_ROOT } from '../paths.js';
import type { Settings } from '../settings.js';
import { applySchemas, collectStatus, type Print, type StackStatus } from './native.js';
import { ensureDatabases } from './postgres.js';
import { waitFor } from '../util/wait.js';

export const COMPOSE_PROJECT = 'reativa';

/** Inside the compose network Connect reaches PostgreSQL by its service name (as Debezium's role). */
export const dockerConnectDatabaseUrl = (settings: Settings) => {
  const url = new URL(settings.connectErpDatabaseUrl);
  url.hostname = 'postgres';
  url.port = '5432';
  return url.toString();
};

/**
 * Debezium's password file: written by the stack on this machine under
 * <stack dir>/secrets, which docker-compose.yml mounts read-only into Connect
 * at DOCKER_SECRETS_DIR; the connector names it by its path in the container.
 */
export const DOCKER_SECRETS_DIR = '/etc/reativa/secrets';
export const dockerConnectSecretsFile = (settings: Settings) => `${DOCKER_SECRETS_DIR}/${path.basename(settings.connectSecretsFile)}`;
export const dockerHostSecretsFile = (settings: Settings) => path.join(settings.stackDir, 'secrets', path.basename(settings.connectSecretsFile));

/** testcontainers is a development dependency: imported only here, when the docker stack is used, and named plainly when missing. */
async function testcontainers() {
  // A long-lived stack must outlive this process: no reaper.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  try {
    return await import('testcontainers');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new StackError('REATIVA_STACK=docker needs testcontainers, a development dependency not installed here (npm ci --omit=dev): install with npm ci, or use REATIVA_STACK=external', { cause: error });
  }
}

export class DockerStack {
  constructor(readonly settings: Settings, private readonly print: Print = () => undefined) {}

  async up(): Promise<void> {
    const { DockerComposeEnvironment, Wait } = await testcontainers();
    this.print('starting docker-compose.yml services (project reativa)…');
    await new DockerComposeEnvironment(PROJECT_ROOT, 'docker-compose.yml')
      .withProjectName(COMPOSE_PROJECT)
      .withNoRecreate()
      .withStartupTimeout(180_000)
      .withWaitStrategy('postgres-1', Wait.forHealthCheck())
      .withWaitStrategy('kafka-1', Wait.forHealthCheck())
      .withWaitStrategy('connect-1', Wait.forHttp('/connector-plugins', 8083))
      .withWaitStrategy('registry-1', Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .up();
    await ensureDatabases(this.settings.erpSuperuserDatabaseUrl, [new URL(this.settings.reativaDatabaseUrl).pathname.slice(1)]);
    await applySchemas(this.settings, this.print, dockerHostSecretsFile(this.settings));
    await waitFor('Apicurio Registry', () => registryHealthy(this.settings.schemaRegistryUrl), { timeoutMs: 60_000 });
    await setGlobalCompatibility(this.settings.schemaRegistryUrl, 'BACKWARD');
    await registerConnector({ ...this.settings, connectErpDatabaseUrl: dockerConnectDatabaseUrl(this.settings), connectSecretsFile: dockerConnectSecretsFile(this.settings) });
    this.print('docker stack healthy');
  }

  async down(): Promise<void> {
    const { getContainerRuntimeClient } = await testcontainers();
    const client = await getContainerRuntimeClient();
    await client.compose.down(
      { filePath: PROJECT_ROOT, files: projectPath('docker-compose.yml'), projectName: COMPOSE_PROJECT },
      { removeVolumes: true, timeout: 30 },
    );
    this.print('docker stack removed');
  }

  status(): Promise<StackStatus> {
    return collectStatus(this.settings);
  }
}
