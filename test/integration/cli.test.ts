// The `reativa` command as scripts and operators use it, on the embedded
// stack: --version, --json listings, lag of every group (the retry group and
// custom group names too), replay that shows its plan and asks, and a service
// that is down named in one line on stderr within 10 s, nothing on stdout.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';
import { testKafka, unique } from '../support/harness.js';
import { testNamespace, type TestNamespace } from '../support/pipeline.js';
import { runReativa, type CliRun } from '../support/processes.js';

const namespaces: TestNamespace[] = [];

afterAll(async () => {
  for (const n of namespaces) await n.drop();
});

/** `reativa <args>`, stdin not a terminal. */
const reativa = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> => runReativa(args, env, 60_000);

interface LagRow {
  group: string;
  stage: string;
  topic: string;
  partition: number;
  lag: number;
}

describe('reativa (the CLI)', () => {
  it('says its version', async () => {
    const run = await reativa(['--version']);
    expect(run.code).toBe(0);
    const { version } = JSON.parse(fs.readFileSync(projectPath('package.json'), 'utf8')) as { version: string };
    expect(run.stdout.trim()).toBe(version);
  });

  it('lag covers every group, the retry group and custom names included; --json is JSON alone', async () => {
    const namespace = await testNamespace(testKafka());
    namespaces.push(namespace);
    const env = { REATIVA_NAMESPACE: namespace.topics.namespace };
    const all = await reativa(['lag', '--json', '--all'], env);
    expect(all.code, all.stderr).toBe(0);
    const rows = JSON.parse(all.stdout) as LagRow[];
    const groups = new Set(rows.map((r) => r.group));
    const g = namespace.groups;
    for (const group of [g.mapper, g.routing, g.delivery, `${g.delivery}-retry`]) expect(groups, group).toContain(group);
    expect(rows.filter((r) => r.group === `${g.delivery}-retry`).map((r) => r.topic)).toContain(namespace.topics.retry(1));
    // Without --all, partitions at zero lag are left out (a fresh namespace has its topics empty).
    const behind = await reativa(['lag', '--json'], env);
    expect(behind.code, behind.stderr).toBe(0);
    const behindRows = JSON.parse(behind.stdout) as LagRow[];
    expect(behindRows.every((r) => r.lag > 0)).toBe(true);
    expect(behindRows.some((r) => r.group === g.delivery)).toBe(false);

    const custom = unique('custom-delivery');
    const named = await reativa(['lag', '--json', '--all', '--delivery-group', custom], env);
    const namedGroups = new Set((JSON.parse(named.stdout) as LagRow[]).map((r) => r.group));
    expect(namedGroups).toContain(custom);
    expect(namedGroups).toContain(`${custom}-retry`);
    expect(namedGroups).not.toContain(g.delivery);

    const text = await reativa(['lag'], env);
    expect(text.stdout).toContain(`${g.delivery}-retry (delivery, `);
  });

  it('replay prints its plan and asks first; without a terminal it needs --yes', async () => {
    const namespace = await testNamespace(testKafka());
    namespaces.push(namespace);
    const env = { REATIVA_NAMESPACE: namespace.topics.namespace };
    const unasked = await reativa(['replay', '--group', 'routing', '--to-earliest'], env);
    expect(unasked.code).toBe(2);
    expect(unasked.stdout).toContain(`${namespace.groups.routing} ${namespace.topics.triggers}[0]: `);
    expect(unasked.stderr).toMatch(/stdin is not a terminal; add --yes/);
    const plan = await reativa(['replay', '--group', 'routing', '--to-earliest', '--dry-run', '--json'], env);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ group: namespace.groups.routing, steps: expect.arrayContaining([expect.objectContaining({ topic: namespace.topics.triggers, partition: 0 })]) as unknown });
    const done = await reativa(['replay', '--group', 'routing', '--to-earliest', '--yes'], env);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/offsets set for \d+ partition\(s\)/);
  });

  it('fails fast when Kafka is down: one line on stderr naming it, its setting and reativa doctor; nothing on stdout', async () => {
    for (const args of [['lag'], ['lag', '--json'], ['dlq', 'list', '--json']]) {
      const run = await reativa(args, { REATIVA_KAFKA_BROKERS: '127.0.0.1:1' });
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.ms, args.join(' ')).toBeLessThan(10_000);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^Kafka is not reachable at 127\.0\.0\.1:1 \(REATIVA_KAFKA_BROKERS\): .*reativa doctor/);
    }
  });

  it('fails fast when a database is down, without showing its password', async () => {
    const run = await reativa(['webhooks', 'list', '--json'], { REATIVA_ERP_ADMIN_DATABASE_URL: 'postgres://reativa_admin:do-not-show@127.0.0.1:1/erp' });
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(10_000);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^the ERP's database is not reachable at 127\.0\.0\.1:1\/erp \(REATIVA_ERP_ADMIN_DATABASE_URL\): .*reativa doctor/);
    expect(run.stderr).not.toContain('do-not-show');
  });
});
