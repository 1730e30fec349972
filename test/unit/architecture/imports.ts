// The project's own import graph, read from the source text: what the
// architecture tests check. Type-only imports are erased by the compiler
// (verbatimModuleSyntax), so they are not edges.
import fs from 'node:fs';
import path from 'node:path';
import { projectPath } from '../../../src/paths.js';

const SRC = projectPath('src');

const RUNTIME_IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[\s\S]*?\s+from\s+)?'([^']+)';/gm;

/** Every .ts file under src/, relative to src/ ("delivery/worker.ts"). */
export function sourceFiles(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [path.relative(SRC, full)] : [];
  });
}

/** The runtime imports of one file: relative ones resolved to src-relative paths, packages as written. */
export function importsOf(file: string): { internal: string[]; external: string[] } {
  const text = fs.readFileSync(path.join(SRC, file), 'utf8');
  const internal: string[] = [];
  const external: string[] = [];
  for (const match of text.matchAll(RUNTIME_IMPORT)) {
    const specifier = match[1]!;
    if (specifier.startsWith('.')) internal.push(path.normalize(path.join(path.dirname(file), specifier)).replace(/\.js$/, '.ts'));
    else external.push(specifier);
  }
  return { internal, external };
}
