// Writes a benchmark's section into docs/benchmarks.md (replacing the previous
// run of the same benchmark), headed by the machine it ran on.
import fs from 'node:fs';
import os from 'node:os';
import { projectPath } from '../src/paths.js';

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node.js ${process.version}`;
}

export function recordBenchmark(name: string, lines: string[]): void {
  const file = projectPath('docs', 'benchmarks.md');
  const header = '# Benchmarks\n\nNumbers written by `npm run bench:*` scripts (never by tests). Each section is replaced by the next run of its script.\n';
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : header;
  const section = `## ${name}\n\nMachine: ${machine()}.\n\n${lines.join('\n')}\n`;
  // The name is text, not a pattern: "(HTTP sink)" must match itself.
  const pattern = new RegExp(`## ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n[\\s\\S]*?(?=\\n## |$)`);
  const next = pattern.test(current) ? current.replace(pattern, section.trimEnd() + '\n') : `${current.trimEnd()}\n\n${section}`;
  fs.mkdirSync(projectPath('docs'), { recursive: true });
  fs.writeFileSync(file, next);
}
