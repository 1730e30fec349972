// `npm run test:faults [-- --long] [-- --seed <n>]`: the fault-injection suite
// (test/faults) on its own. --long soaks it (20,000 changes) instead of the
// bounded run `npm test` makes; either way the run's figures are added to the
// table in docs/reliability.md, so the document says what was actually run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { projectPath } from '../src/paths.js';

const args = process.argv.slice(2);
const long = args.includes('--long');
const seedAt = args.indexOf('--seed');
const report = '.stack/faults/latest.json';
fs.rmSync(projectPath(report), { force: true });
const env = {
  ...process.env,
  REATIVA_FAULTS: long ? 'long' : 'ci',
  REATIVA_FAULTS_REPORT: report,
  ...(seedAt >= 0 ? { REATIVA_FAULTS_SEED: args[seedAt + 1] } : {}),
};
const run = spawnSync('npx', ['vitest', 'run', '--project', 'faults'], { stdio: 'inherit', env, cwd: projectPath() });
if (!fs.existsSync(projectPath(report))) process.exit(run.status ?? 1);

interface Report {
  at: string;
  seed: number;
  size: string;
  contracts: number;
  webhooks: number;
  changes: number;
  deliveries: number;
  duplicates: number;
  idMismatches: number;
  violations: number;
  missing: number;
  kills: number;
  restarts: number;
  rebalances: number;
  partner: { requests: number; failed: number; hung: number; dropped: number; slow: number };
}
const r = JSON.parse(fs.readFileSync(projectPath(report), 'utf8')) as Report;
const row = `| ${r.at.slice(0, 16).replace('T', ' ')} | ${r.size} | ${r.seed} | ${r.changes.toLocaleString('en')} | ${r.contracts} × ${r.webhooks} | ${r.kills} | ${r.rebalances} | ${r.partner.failed} / ${r.partner.hung} / ${r.partner.dropped} | ${r.deliveries.toLocaleString('en')} | ${r.duplicates} | ${r.missing} | ${r.violations} |`;
const doc = projectPath('docs', 'reliability.md');
const text = fs.readFileSync(doc, 'utf8');
const marker = '<!-- fault runs: rows added by npm run test:faults -->';
if (!text.includes(marker)) throw new Error(`docs/reliability.md has lost its marker line: ${marker}`);
// Rows go just above the marker, which sits right under the table: oldest first.
fs.writeFileSync(doc, text.replace(marker, `${row}\n${marker}`));
console.log(`docs/reliability.md: ${row}`);
process.exit(run.status ?? 0);
