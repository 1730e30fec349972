// Spawning Reativa's real process (`reativa start --no-stack`) from tests, to
// kill it like an operator or the OOM killer would.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { projectPath } from '../../src/paths.js';
import { waitFor } from '../../src/util/wait.js';

export interface LogLine {
  msg: string;
  [field: string]: unknown;
}

export class ReativaProcess {
  readonly lines: LogLine[] = [];
  readonly child: ChildProcessWithoutNullStreams;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, ['--import', 'tsx', projectPath('src', 'cli', 'main.ts'), 'start', '--no-stack', ...args], {
      cwd: projectPath(),
      env: { ...process.env, ...env },
    });
    let buffered = '';
    // REATIVA_TEST_ECHO=1 shows the process's log while a test runs (when one needs explaining).
    if (process.env.REATIVA_TEST_ECHO === '1') {
      this.child.stdout.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      this.child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    }
    this.child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.startsWith('{')) this.lines.push(JSON.parse(part) as LogLine);
    });
  }

  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    return waitFor('a log line from reativa', async () => this.lines.find(predicate), { timeoutMs });
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    const [code] = (await exited) as [number | null];
    return code;
  }
}

/** How a `reativa <command>` run ended: its exit code, what it printed, how long it took. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs `reativa <args>` from the source tree to its end, stdin not a
 * terminal (so a confirmation prompt refuses), killed after `timeoutMs`.
 */
export async function runReativa(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', projectPath('src', 'cli', 'main.ts'), ...args], {
    cwd: projectPath(),
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stdout, stderr, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
