// Reativa's version, as package.json says (for `reativa --version` and the metrics' build info).
import fs from 'node:fs';
import { projectPath } from './paths.js';

let version: string | undefined;

export function reativaVersion(): string {
  version ??= (JSON.parse(fs.readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
  return version;
}
