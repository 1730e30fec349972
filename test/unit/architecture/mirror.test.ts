// Tests mirror the source: every pure file has its own unit test at
// test/unit/<folder>/<file>.test.ts, so whoever changes one knows where its test is.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../../src/paths.js';
import { sourceFiles } from './imports.js';
import { isPure } from './purity.test.js';

/** Files with nothing of their own to test: generated types, re-exports and declarations only. */
const NOTHING_TO_TEST = new Set(['contracts/contract.ts', 'errors/index.ts', 'delivery/ports.ts', 'mapping/enrichment.ts']);

/** Files whose test lives with another's: the generated contracts, and the error classes (one per file). */
const TESTED_WITH: [RegExp, string][] = [
  [/^contracts\/generated\//, 'contracts/generated.test.ts'],
  [/^errors\/.*-error\.ts$/, 'errors/classify.test.ts'],
];

const testOf = (file: string) => TESTED_WITH.find(([pattern]) => pattern.test(file))?.[1] ?? file.replace(/\.ts$/, '.test.ts');

describe('unit tests', () => {
  const pure = sourceFiles().filter((f) => isPure(f) && !NOTHING_TO_TEST.has(f));
  it.each(pure)('%s has its unit test', (file) => {
    expect(fs.existsSync(projectPath('test', 'unit', testOf(file))), `test/unit/${testOf(file)}`).toBe(true);
  });
});
