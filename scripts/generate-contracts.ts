// npm run contracts:generate — writes src/contracts/generated/<name>.ts from schemas/<name>.avsc.
import fs from 'node:fs';
import path from 'node:path';
import { projectPath } from '../src/paths.js';
import { avroToTypeScript } from './avro-to-typescript.js';

export const AVRO_CONTRACTS = ['trigger-event', 'delivery'] as const;

export const generatedPath = (name: string) => projectPath('src', 'contracts', 'generated', `${name}.ts`);

export function renderContract(name: string): string {
  return avroToTypeScript(fs.readFileSync(projectPath('schemas', `${name}.avsc`), 'utf8'), `schemas/${name}.avsc`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const name of AVRO_CONTRACTS) {
    fs.mkdirSync(path.dirname(generatedPath(name)), { recursive: true });
    fs.writeFileSync(generatedPath(name), renderContract(name));
    console.log(`wrote ${path.relative(process.cwd(), generatedPath(name))}`);
  }
}
