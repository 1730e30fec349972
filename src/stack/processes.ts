// Background services of the native stack: each runs detached in its own
// process group, logs to .stack/logs/<name>.log and leaves a pid file in
// .stack/run/<name>.json, so `stack down` stops exactly what `stack up` started,
// even from another shell, and a pid reused by an unrelated process is never killed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sleep } from '../util/wait.js';

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly command: string;
  readonly startedAt: string;
}

export interface LaunchSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

export class ProcessTable {
  constructor(private readonly stackDir: string) {}

  get logDir(): string {
    return path.join(this.stackDir, 'logs');
  }

  logFile(name: string): string {
    return path.join(this.logDir, `${name}.log`);
  }

  private pidFile(name: string): string {
    return path.join(this.stackDir, 'run', `${name}.json`);
  }

  /** The recorded process, if it is still alive and is still the one we started. */
  running(name: string): ServiceProcess | undefined {
    const file = this.pidFile(name);
    if (!fs.existsSync(file)) return undefined;
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as ServiceProcess;
    if (isAlive(record.pid) && commandLineOf(record.pid).includes(record.command)) return record;
    fs.rmSync(file, { force: true });
    return undefined;
  }

  launch(spec: LaunchSpec): ServiceProcess {
    fs.mkdirSync(this.logDir, { recursive: true });
    fs.mkdirSync(path.dirname(this.pidFile(spec.name)), { recursive: true });
    const log = fs.openSync(this.logFile(spec.name), 'a');
    fs.writeSync(log, `\n--- ${new Date().toISOString()} starting ${spec.name}: ${spec.command} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
    child.unref();
    const record: ServiceProcess = {
      name: spec.name,
      pid: child.pid,
      command: spec.command,
      startedAt: new Date().toISOString(),
    };
    fs.writeFileSync(this.pidFile(spec.name), JSON.stringify(record, null, 2));
    return record;
  }

  /** SIGTERM to the process group, then SIGKILL after graceMs; resolves once it is gone. */
  async stop(name: string, graceMs = 20_000): Promise<boolean> {
    const record = this.running(name);
    if (!record) return false;
    signalGroup(record.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(record.pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(record.pid)) {
      signalGroup(record.pid, 'SIGKILL');
      while (isAlive(record.pid)) await sleep(50);
    }
    fs.rmSync(this.pidFile(name), { force: true });
    return true;
  }

  /** The last lines of a service's log, for error messages. */
  tail(name: string, lines = 20): string {
    const file = this.logFile(name);
    if (!fs.existsSync(file)) return '(no log)';
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; it is gone for our purposes.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return true;
  }
}

function commandLineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
