import { describe, expect, it } from 'vitest';
import { delivers, mallocTunables, planRuntimeTuning, v8Flags } from '../../../src/cli/runtime-tuning.js';
import { InputError } from '../../../src/errors/input-error.js';

const linux = { linux: true, execve: true };

describe('planRuntimeTuning', () => {
  it('re-executes once with a small young generation and glibc tunables, keeping the current options', () => {
    const plan = planRuntimeTuning(['--import', 'tsx'], { PATH: '/bin' }, linux);
    expect(plan?.execArgv).toEqual(['--max-semi-space-size=16', '--initial-old-space-size=64', '--heap-growing-percent=50', '--import', 'tsx']);
    expect(v8Flags(true).map(([name]) => name)).toEqual(['max-semi-space-size', 'initial-old-space-size', 'heap-growing-percent']);
    expect(plan?.env).toEqual({ PATH: '/bin', ...mallocTunables(true), REATIVA_RUNTIME_TUNED: '1' });
    // The re-executed process does not re-execute again.
    expect(planRuntimeTuning(plan!.execArgv, plan!.env, linux)).toBeUndefined();
  });

  it('gives a process that does not deliver a smaller young generation', () => {
    const lean = planRuntimeTuning([], {}, linux, false);
    expect(lean?.execArgv).toEqual(['--max-semi-space-size=4', '--initial-old-space-size=32', '--heap-growing-percent=50']);
    expect(lean?.env.MALLOC_ARENA_MAX).toBe('1');
    expect(planRuntimeTuning([], {}, linux, true)?.env.MALLOC_ARENA_MAX).toBe('2');
    expect(planRuntimeTuning(['--max-semi-space-size=8'], {}, linux, false)?.execArgv).toContain('--max-semi-space-size=8');
  });

  it("reads from `start`'s arguments whether the process delivers: every stage unless --stages leaves delivery out", () => {
    expect(delivers([])).toBe(true);
    expect(delivers(['--no-stack'])).toBe(true);
    expect(delivers(['--stages', 'routing'])).toBe(false);
    expect(delivers(['--stages=mapper,routing', '--no-stack'])).toBe(false);
    expect(delivers(['--no-stack', '--stages', 'routing, delivery'])).toBe(true);
    expect(delivers(['--stages=delivery'])).toBe(true);
  });

  it('leaves what the operator set: a V8 flag on the command line or in NODE_OPTIONS, a MALLOC_* variable', () => {
    expect(planRuntimeTuning(['--max-semi-space-size=32'], {}, linux)?.execArgv).toEqual(['--initial-old-space-size=64', '--heap-growing-percent=50', '--max-semi-space-size=32']);
    expect(planRuntimeTuning(['--heap_growing_percent=20'], { NODE_OPTIONS: '--max-semi-space-size=2 --enable-source-maps' }, linux)?.execArgv).toEqual(['--initial-old-space-size=64', '--heap_growing_percent=20']);
    expect(planRuntimeTuning([], { MALLOC_ARENA_MAX: '8' }, linux)?.env.MALLOC_ARENA_MAX).toBe('8');
  });

  it('is switched off by REATIVA_RUNTIME_TUNING=off, and names the setting when it is neither on nor off', () => {
    expect(planRuntimeTuning([], { REATIVA_RUNTIME_TUNING: 'off' }, linux)).toBeUndefined();
    expect(planRuntimeTuning([], { REATIVA_RUNTIME_TUNING: 'on' }, linux)).toBeDefined();
    expect(() => planRuntimeTuning([], { REATIVA_RUNTIME_TUNING: 'ON' }, linux)).toThrow(/must be on or off/);
    expect(() => planRuntimeTuning([], { REATIVA_RUNTIME_TUNING: 'yes' }, linux)).toThrow(InputError);
    expect(() => planRuntimeTuning([], { REATIVA_RUNTIME_TUNING: 'yes' }, linux)).toThrow(/REATIVA_RUNTIME_TUNING/);
  });

  it('does nothing without process.execve, and sets no MALLOC_* variable off Linux', () => {
    expect(planRuntimeTuning([], {}, { linux: true, execve: false })).toBeUndefined();
    const macos = planRuntimeTuning([], {}, { linux: false, execve: true });
    expect(Object.keys(macos!.env).filter((k) => k.startsWith('MALLOC_'))).toEqual([]);
  });
});
