#!/usr/bin/env node
// The `reativa` command. `reativa start` first re-executes itself in place with
// a lean runtime (runtime-tuning.ts), before the program's modules are loaded,
// so a stage process loads them once; then the program (program.ts) runs.
import { ReativaError } from '../errors/reativa-error.js';
import { tuneRuntimeFor } from './runtime-tuning.js';

try {
  tuneRuntimeFor(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof ReativaError ? error.message : String(error));
  process.exit(1);
}
await import('./program.js');
