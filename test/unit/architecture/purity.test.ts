// The pure parts of Reativa — what decides, not what talks to the world — import
// no I/O, directly or through another module. They test in milliseconds, and a
// reader knows that a function there does nothing but compute.
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles } from './imports.js';

/** Folders and files that must stay pure. */
export const PURE = [
  'contracts/',
  'mapping/',
  'routing/',
  'presets/',
  'delivery/',
  // dead-letters/redrive.ts reads the topics and sends the letters back: the rest decides.
  'dead-letters/redrive-plan.ts',
  'dead-letters/selection.ts',
  'dead-letters/rounds.ts',
  'errors/',
  'util/durations.ts',
  'util/email.ts',
  'util/redact.ts',
  'util/semaphore.ts',
  'util/repeated-warnings.ts',
  'kafka/crc32c.ts',
  'config/view.ts',
  'config/webhooks.ts',
  'config/kinds.ts',
  'capture/envelope.ts',
  'capture/tables.ts',
  'alerts/render.ts',
  'admin/views/',
  'demo/activity.ts',
  'demo/receipt.ts',
];

/** What a pure module may import from outside the project: computation only. */
const ALLOWED_PACKAGES = new Set(['node:crypto', 'avsc', 'zod']);

export const isPure = (file: string) => PURE.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p));

/** The first chain from `file` to an I/O import, or undefined when there is none. */
function pathToIo(file: string, seen = new Set<string>()): string[] | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  const { internal, external } = importsOf(file);
  const io = external.find((e) => !ALLOWED_PACKAGES.has(e));
  if (io) return [file, io];
  for (const next of internal) {
    const chain = pathToIo(next, seen);
    if (chain) return [file, ...chain];
  }
  return undefined;
}

describe('pure modules', () => {
  const pure = sourceFiles().filter(isPure);

  it('are there to check', () => {
    expect(pure.length).toBeGreaterThan(30);
  });

  it.each(pure)('%s imports no I/O, directly or transitively', (file) => {
    expect(pathToIo(file), 'import chain to an I/O module').toBeUndefined();
  });
});
