// A lean `reativa start` wherever it is launched from (npm start, start:prod,
// the container, systemd, a test): the process re-executes itself once, in
// place (same PID, same stdio, `process.execve`), with the V8 flags and the
// allocator settings that keep a stage process's resident memory small. They
// cannot be set from inside a running process: V8 sizes its young generation
// at start (`v8.setFlagsFromString` does not change it, measured), and glibc
// reads its MALLOC_* tunables when it starts.
//
// What each setting buys is measured in docs/benchmarks.md ("Memory: what
// holds it"). In short, on a machine with a lot of memory:
//   - V8 sizes the young generation from the heap limit, which follows the
//     machine's memory: a process that allocates briskly keeps ~130 MB of
//     mostly empty semi-spaces. A process that delivers gets 16 MB ones: with
//     4 MB the deliveries it reads ahead survive every scavenge, which cost a
//     third more CPU per delivery. The mapper and routing hold nothing across
//     batches, and 4 MB ones take 10-25 MB off them for CPU within the
//     machine's noise (2 MB ones took more off, for half again the CPU).
//   - V8 lets the old generation fill to a limit that also follows the heap
//     limit (gigabytes here) before its first full collection, then grows it
//     by up to 4× what survived: a stage whose live data is 40–60 MB ran at
//     130–200 MB of heap, mostly garbage. A 64 MB first limit (32 MB where
//     nothing is delivered: routing's old generation holds about 25 MB) and
//     1.5× growth keep it near what is live, for a little more marking.
//   - glibc raises its mmap threshold each time a large block is freed, after
//     which Kafka's fetch responses and socket buffers (Node's Buffers are
//     malloc'd) come from the arenas, which fragment and never shrink. A fixed
//     threshold keeps them as mappings that go back to the system when freed;
//     two arenas (one where nothing is delivered) keep the other threads'
//     allocations from spreading over 16.
//
// Anything the operator set (a flag on the command line or in NODE_OPTIONS,
// a MALLOC_* variable) wins; REATIVA_RUNTIME_TUNING=off leaves the process as
// it was started.
import { InputError } from '../errors/input-error.js';

/** Set in the re-executed process, so it does not re-execute again. */
const TUNED_MARK = 'REATIVA_RUNTIME_TUNED';

/**
 * What a process is tuned for, by whether it delivers (read-ahead deliveries
 * that live across scavenges, the CPU-heavy stage) or only maps and routes
 * (nothing held across batches: memory first). Measured in docs/benchmarks.md.
 */
export interface RuntimeProfile {
  /** Each semi-space of V8's young generation, in MB (the young generation holds two). */
  readonly semiSpaceMb: number;
  /** The old generation's size before its first full collection, in MB. */
  readonly initialOldSpaceMb: number;
  /** glibc's malloc arenas: the main thread's and those the other threads share. */
  readonly mallocArenas: number;
}

export const RUNTIME_PROFILES: Readonly<Record<'delivering' | 'other', RuntimeProfile>> = {
  delivering: { semiSpaceMb: 16, initialOldSpaceMb: 64, mallocArenas: 2 },
  other: { semiSpaceMb: 4, initialOldSpaceMb: 32, mallocArenas: 1 },
};

const profileOf = (delivers: boolean): RuntimeProfile => (delivers ? RUNTIME_PROFILES.delivering : RUNTIME_PROFILES.other);

/** V8's flags for a process that delivers or not, each added unless the operator gave it. */
export function v8Flags(delivers: boolean): readonly (readonly [name: string, value: string])[] {
  const profile = profileOf(delivers);
  return [
    ['max-semi-space-size', String(profile.semiSpaceMb)],
    ['initial-old-space-size', String(profile.initialOldSpaceMb)],
    ['heap-growing-percent', '50'],
  ];
}

/** glibc's tunables, each set unless the operator set it: fixed mmap threshold (disables the dynamic one), trim threshold, arenas. */
export function mallocTunables(delivers: boolean): Readonly<Record<string, string>> {
  return { MALLOC_MMAP_THRESHOLD_: '65536', MALLOC_TRIM_THRESHOLD_: '131072', MALLOC_ARENA_MAX: String(profileOf(delivers).mallocArenas) };
}

/** The runtime as a command line would give it. */
export const runtimeText = (delivers: boolean): string =>
  [...v8Flags(delivers).map(([name, value]) => `--${name}=${value}`), ...Object.entries(mallocTunables(delivers)).map(([name, value]) => `${name}=${value}`)].join(' ');

export interface RuntimeTuningPlan {
  /** The `node` options to start with (the current ones, plus each flag of v8Flags(delivers) not already given). */
  readonly execArgv: readonly string[];
  /** The environment to start with. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * What the process should be re-executed with, or undefined when it runs as it
 * should already (tuned, switched off, or on a Node.js without execve). The
 * MALLOC_* variables are set on Linux only: glibc reads them, musl ignores them. Pure.
 */
export function planRuntimeTuning(
  execArgv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  platform: { readonly linux: boolean; readonly execve: boolean },
  delivers = true,
): RuntimeTuningPlan | undefined {
  const setting = env.REATIVA_RUNTIME_TUNING ?? 'on';
  if (setting !== 'on' && setting !== 'off') throw new InputError(`REATIVA_RUNTIME_TUNING must be on or off, not "${setting}"`);
  if (setting === 'off' || env[TUNED_MARK] === '1' || !platform.execve) return undefined;
  // V8 reads `-` and `_` alike in a flag's name.
  const given = new Set([...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].map((a) => a.replace(/^--/, '').split('=')[0]!.replaceAll('_', '-')));
  const flags = v8Flags(delivers).filter(([name]) => !given.has(name)).map(([name, value]) => `--${name}=${value}`);
  const malloc: Record<string, string> = {};
  if (platform.linux) for (const [name, value] of Object.entries(mallocTunables(delivers))) if (env[name] === undefined) malloc[name] = value;
  return {
    execArgv: [...flags, ...execArgv],
    env: { ...env, ...malloc, [TUNED_MARK]: '1' },
  };
}

/** The commands that run stages (and so re-execute): `reativa start`, delivering unless its --stages leave delivery out. */
export function tuneRuntimeFor(args: readonly string[]): void {
  if (args[0] === 'start') tuneRuntime(delivers(args.slice(1)));
}

/**
 * Whether `reativa start` with these arguments runs the delivery stage: every
 * stage when --stages is not given. Read before the command line is parsed
 * (commander refuses a bad list later, with its message).
 */
export function delivers(startArgs: readonly string[]): boolean {
  let list: string | undefined;
  startArgs.forEach((arg, i) => {
    if (arg === '--stages') list = startArgs[i + 1];
    else if (arg.startsWith('--stages=')) list = arg.slice('--stages='.length);
  });
  return list === undefined || list.split(',').some((stage) => stage.trim() === 'delivery');
}

/**
 * Re-executes this process in place with the lean runtime, once; returns
 * only when no re-execution is needed. Call it before anything is opened.
 */
export function tuneRuntime(delivering = true): void {
  const execve = (process as { execve?: (file: string, args: string[], env: Record<string, string | undefined>) => never }).execve;
  const plan = planRuntimeTuning(process.execArgv, process.env, { linux: process.platform === 'linux', execve: typeof execve === 'function' }, delivering);
  if (!plan || !execve) return;
  execve.call(process, process.execPath, [process.execPath, ...plan.execArgv, ...process.argv.slice(1)], plan.env);
}
