// Locating the tools the native stack runs on. Each lookup returns either what
// it found or a problem that names the fix, so `doctor` and `stack up` can say
// exactly what is missing instead of failing half-way through.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Found<T> {
  readonly ok: true;
  readonly value: T;
  readonly detail: string;
}
export interface Missing {
  readonly ok: false;
  readonly problem: string;
  readonly fix: string;
}
export type Lookup<T> = Found<T> | Missing;

export const MIN_JAVA = 17;

/** stdout and stderr together (`java -version` prints to stderr), or undefined if it could not run. */
function run(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  if (result.error) return undefined;
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function javaMajor(java: string): number {
  const out = run(java, ['-version']) ?? '';
  const match = /version "(\d+)(?:\.(\d+))?/.exec(out);
  return match ? Number(match[1] === '1' ? match[2] : match[1]) : 0;
}

/** Every java binary we know of: JAVA_HOME, PATH, then the JDKs under /usr/lib/jvm. */
function javaCandidates(env: NodeJS.ProcessEnv): string[] {
  const found: string[] = [];
  const add = (candidate: string | undefined) => {
    if (candidate && fs.existsSync(candidate)) {
      const real = fs.realpathSync(candidate);
      if (!found.includes(real)) found.push(real);
    }
  };
  if (env.JAVA_HOME) add(path.join(env.JAVA_HOME, 'bin', 'java'));
  add(onPath('java'));
  const jvms = '/usr/lib/jvm';
  if (fs.existsSync(jvms)) for (const dir of fs.readdirSync(jvms).sort()) add(path.join(jvms, dir, 'bin', 'java'));
  return found;
}

/**
 * A java of at least `minimum`: the first of JAVA_HOME, PATH, /usr/lib/jvm that
 * qualifies, or `explicitHome` alone when given. Kafka and Connect need 17;
 * Apicurio Registry 3.x is compiled for 21.
 */
export function findJava(minimum = MIN_JAVA, explicitHome?: string, env: NodeJS.ProcessEnv = process.env): Lookup<string> {
  const candidates = explicitHome ? [path.join(explicitHome, 'bin', 'java')].filter((j) => fs.existsSync(j)) : javaCandidates(env);
  const seen: string[] = [];
  for (const java of candidates) {
    const major = javaMajor(java);
    seen.push(`${java} (${major || '?'})`);
    if (major >= minimum) return { ok: true, value: java, detail: `Java ${major} (${java})` };
  }
  return {
    ok: false,
    problem: candidates.length === 0 ? 'java not found' : `no Java ${minimum}+ found; seen: ${seen.join(', ')}`,
    fix:
      minimum > MIN_JAVA
        ? `install a JDK ${minimum}+ under /usr/lib/jvm (e.g. Temurin) or set REATIVA_REGISTRY_JAVA_HOME to one`
        : `install a JDK ${minimum}+ (apt-get install openjdk-17-jdk-headless) or set JAVA_HOME`,
  };
}

export function findMaven(): Lookup<string> {
  const mvn = onPath('mvn');
  if (!mvn) return { ok: false, problem: 'mvn not found', fix: 'apt-get install maven (it fetches Kafka, Debezium and Apicurio from Maven Central)' };
  const version = /Apache Maven ([\d.]+)/.exec(run(mvn, ['-v']) ?? '')?.[1] ?? 'unknown';
  return { ok: true, value: mvn, detail: `Maven ${version}` };
}

export interface PostgresBinaries {
  readonly dir: string;
  readonly version: number;
}

const PG_TOOLS = ['initdb', 'pg_ctl', 'postgres', 'psql'];

export function findPostgres(explicit?: string): Lookup<PostgresBinaries> {
  const candidates: string[] = [];
  if (explicit) candidates.push(explicit);
  else {
    const root = '/usr/lib/postgresql';
    if (fs.existsSync(root)) {
      for (const v of fs.readdirSync(root).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(root, v, 'bin'));
    }
    const initdb = onPath('initdb');
    if (initdb) candidates.push(path.dirname(initdb));
  }
  for (const dir of candidates) {
    if (PG_TOOLS.every((tool) => fs.existsSync(path.join(dir, tool)))) {
      const version = Number(/(\d+)(?:\.\d+)?/.exec(run(path.join(dir, 'postgres'), ['--version']) ?? '')?.[1] ?? 0);
      if (version < 12) continue;
      return { ok: true, value: { dir, version }, detail: `PostgreSQL ${version} (${dir})` };
    }
  }
  return {
    ok: false,
    problem: explicit ? `REATIVA_PG_BIN=${explicit} lacks ${PG_TOOLS.join(', ')}` : 'PostgreSQL server binaries (initdb, pg_ctl, postgres) not found',
    fix: 'apt-get install postgresql (any version 12+), or set REATIVA_PG_BIN to the folder holding initdb and pg_ctl',
  };
}

/** PostgreSQL refuses to run as root: as root we run its tools as this user. */
export const POSTGRES_OS_USER = 'postgres';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function findPostgresUser(): Lookup<{ uid: number; gid: number }> {
  if (!isRoot()) return { ok: true, value: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }, detail: 'runs as the current user' };
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${POSTGRES_OS_USER}:`));
  if (!line) return { ok: false, problem: `running as root and there is no '${POSTGRES_OS_USER}' user to run PostgreSQL as`, fix: `useradd --system ${POSTGRES_OS_USER}, or run the stack as a non-root user` };
  const [, , uid, gid] = line.split(':');
  return { ok: true, value: { uid: Number(uid), gid: Number(gid) }, detail: `root: PostgreSQL runs as '${POSTGRES_OS_USER}'` };
}
