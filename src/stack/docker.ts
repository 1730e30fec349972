// REATIVA_STACK=docker: the same services from docker-compose.yml, started
// through testcontainers' compose support, for users who have a Docker engine.
// No engine runs on the project's own machines, so this path is covered by a
// test that checks docker-compose.yml against the native stack, not by a run.
import { registerConnector } from '../capture/connector.js';
import { setGlobalCompatibility, registryHealthy } from '../kafka/registry.js';
import { projectPath, PROJECT_ROOT } from '../paths.js';
import type { Settings } from '../settings.js';
import { applySchemas, collectStatus, type Print, type StackStatus } from './native.js';
import { ensureDatabases } from './postgres.js';
import { waitFor } from '../util/wait.js';

export const COMPOSE_PROJECT = 'reativa';

/** Inside the compose network Connect reaches PostgreSQL by its service name. */
export const dockerConnectDatabaseUrl = (settings: Settings) => {
  const url = new URL(settings.erpDatabaseUrl);
  url.hostname = 'postgres';
  url.port = '5432';
  return url.toString();
};

async function testcontainers() {
  // A long-lived stack must outlive this process: no reaper.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  return import('testcontainers');
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
    await ensureDatabases(this.settings.erpDatabaseUrl, [new URL(this.settings.reativaDatabaseUrl).pathname.slice(1)]);
    await applySchemas(this.settings, this.print);
    await waitFor('Apicurio Registry', () => registryHealthy(this.settings.schemaRegistryUrl), { timeoutMs: 60_000 });
    await setGlobalCompatibility(this.settings.schemaRegistryUrl, 'BACKWARD');
    await registerConnector({ ...this.settings, connectErpDatabaseUrl: dockerConnectDatabaseUrl(this.settings) });
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
