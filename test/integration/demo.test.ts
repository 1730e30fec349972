// `reativa demo` on the embedded stack, in a namespace of the test's own: it
// configures Watch Brasil, DIRECTV GO and the standard integration, its
// partner prints what it receives from each (a 503 retried among them), and
// when it ends its webhooks are turned off.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';
import { erpPool, testKafka, testWebhookName } from '../support/harness.js';
import { testNamespace, type TestNamespace } from '../support/pipeline.js';

const pool = erpPool();
let namespace: TestNamespace | undefined;
let name = '';

afterAll(async () => {
  // Should the demo have died before turning its webhooks off.
  if (name) await pool.query("UPDATE webhooks SET active = false WHERE active AND starts_with(name, $1)", [`${name}: `]);
  await namespace?.drop();
  await pool.end();
});

describe('reativa demo', () => {
  it('configures three partners through the presets, prints what the partner receives, and turns its webhooks off at the end', async () => {
    // A webhook-test name as namespace: its webhooks are "<namespace>: Watch Brasil"…
    name = testWebhookName('demo').slice(0, 40);
    namespace = await testNamespace(testKafka(), name);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', projectPath('src', 'cli', 'main.ts'), 'demo', '--no-stack', '--namespace', name, '--duration', '12s', '--rate', '5', '--receiver-port', '0', '--seed', '3', '--failures', '0.2', '--refusals', '0.02'],
      { cwd: projectPath(), env: { ...process.env, REATIVA_HTTP_PORT: '0', REATIVA_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    expect(code, `${stderr}\n${stdout.slice(-2000)}`).toBe(0);

    expect(stdout).toContain(`starting Reativa in namespace ${name}`);
    expect(stdout).toMatch(/admin page {3}http:\/\/127\.0\.0\.1:\d+\//);
    expect(stdout).toMatch(new RegExp(`webhook \\d+ "${name}: Watch Brasil" -> /watch-brasil; webhook \\d+ "${name}: DIRECTV GO" -> /directv-go; webhook \\d+ "${name}: Integração Padrão" -> /standard`));
    expect(stdout).toMatch(/^ERP: new contract DEMO-000001 for .+, approved$/m);
    // Each partner received something, and the partner's 503s were retried.
    for (const partner of ['watch-brasil', 'directv-go', 'standard']) expect(stdout).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d partner ${partner} +<- POST `, 'm'));
    expect(stdout).toContain('-> 503 (will be retried)');
    expect(stdout).toMatch(/^demo over: \d+ ERP action\(s\); the partner answered \d+ OK, \d+ 503 \(retried\), \d+ 422 \(dead letters\); 3 demo webhook\(s\) turned off$/m);
    // No token reaches the demo's output.
    expect(stdout).not.toMatch(/demo-(watch-brasil|directv-go)-token/);

    const { rows } = await pool.query<{ active: boolean }>('SELECT active FROM webhooks WHERE starts_with(name, $1)', [`${name}: `]);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => !r.active)).toBe(true);
  }, 180_000);
});
