// The real processor: `reativa start` logs each ERP change (table, op, key)
// it reads in its consumer group (at debug level), and Ctrl-C leaves the
// group with its offsets committed.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';
import { waitFor } from '../../src/util/wait.js';
import { erpPool, seedParty, testKafka, unique } from '../support/harness.js';
import { changeLog, processNamespace, type TestNamespace } from '../support/pipeline.js';

const pool = erpPool();
let child: ChildProcessWithoutNullStreams | undefined;
let namespace: TestNamespace | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await namespace?.drop();
  await pool.end();
});

interface LogLine {
  msg: string;
  table?: string;
  op?: string;
  key?: { id?: number };
}

describe('reativa start', () => {
  it('logs each change and commits its offsets on Ctrl-C', async () => {
    const own = await processNamespace(testKafka());
    namespace = own.namespace;
    const group = namespace.groups.mapper;
    const lines: LogLine[] = [];
    child = spawn(process.execPath, ['--import', 'tsx', projectPath('src', 'cli', 'main.ts'), 'start', '--no-stack'], {
      cwd: projectPath(),
      env: { ...process.env, ...own.env, REATIVA_LOG_LEVEL: 'debug' },
    });
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.startsWith('{')) lines.push(JSON.parse(part) as LogLine);
    });

    const { companyId, clientId } = await seedParty(pool);
    const { rows } = await pool.query<{ id: string }>(
      'INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id',
      [companyId, clientId, unique('C-slice')],
    );
    const id = Number(rows[0]!.id);
    const logged = await waitFor('the change in the processor log', async () => lines.find((l) => l.msg === 'change' && l.table === 'contracts' && l.key?.id === id), {
      timeoutMs: 30_000,
    });
    expect(logged.op).toBe('c');

    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(lines.some((l) => l.msg === 'left the consumer group, offsets committed')).toBe(true);

    const admin = testKafka().admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({ groupId: group, topics: [changeLog()] });
      const committed = offsets[0]!.partitions.filter((p) => Number(p.offset) > 0);
      expect(committed.length).toBeGreaterThan(0);
      const description = await admin.describeGroups([group]);
      expect(description.groups[0]!.members).toHaveLength(0);
    } finally {
      await admin.disconnect();
    }
  });
});
