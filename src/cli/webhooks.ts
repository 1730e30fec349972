import type { Command } from 'commander';
import { addWebhook, bindPreset, listWebhooks } from '../config/erp-writer.js';
import { InputError } from '../errors/input-error.js';
import { findPreset, PRESETS } from '../presets/presets.js';
import { loadSettings } from '../settings.js';
import { againstDatabase } from './services.js';

export function registerWebhooks(program: Command): void {
  const presets = program.command('presets').description('the partner presets');

  presets
    .command('bind <alias> <preset>')
    .description("make the integrator with this alias follow a partner preset (its rules): for partners that give the alias, like Mobiaccess; recorded in the ERP database")
    .action(async (alias: string, preset: string) => {
      // The CLI's writer role: the binding table with the webhook tables, nothing else of the ERP.
      const url = loadSettings().erpAdminDatabaseUrl;
      const bound = await againstDatabase("the ERP's database", url, 'REATIVA_ERP_ADMIN_DATABASE_URL', () => bindPreset(url, alias, preset));
      console.log(`integrator "${bound.alias}" follows preset ${bound.preset.id} (${bound.preset.partner})${bound.integratorExists ? '' : '; no integrator has this alias yet'}`);
    });

  presets
    .command('list')
    .description('list the 12 partner presets and their rules')
    .option('--json', 'print one JSON array and nothing else')
    .action((options: { json?: boolean }) => {
      if (options.json) {
        console.log(JSON.stringify(PRESETS));
        return;
      }
      for (const p of PRESETS) {
        const activation =
          p.activation.kind === 'stage_status'
            ? `active when Aprovado and ${p.activation.statuses.join('/')}`
            : p.activation.kind === 'requires_basic_package'
              ? `other packages need ${p.activation.basicPackage}`
              : 'always active';
        console.log(
          [
            p.id.padEnd(19),
            `alias ${p.alias ?? '(partner gives it)'}`.padEnd(26),
            `v${p.version}`,
            (p.method ?? 'partner').padEnd(7),
            `${p.maxAttempts} attempts`,
            p.url ?? '(URL from partner: --url)',
          ].join('  '),
        );
        const needs = [
          p.headers.length > 0 ? `headers ${p.headers.map((h) => h.name).join(', ')}` : undefined,
          p.requiredClientFields.length > 0 ? `client needs ${p.requiredClientFields.join(', ')}` : undefined,
          activation,
          ...p.notes,
        ].filter(Boolean);
        console.log(`${' '.repeat(21)}${needs.join('; ')}`);
      }
    });

  const webhooks = program.command('webhooks').description("the ERP's webhooks (written to and read from the ERP's own tables)");

  webhooks
    .command('add')
    .description('write the integrator and webhook rows for a partner preset, as the ERP screen would')
    .requiredOption('--preset <id>', `one of: ${PRESETS.map((p) => p.id).join(', ')}`)
    .requiredOption('--token <token>', 'the token (or, for Cariap, the head office CNPJ) the partner gave')
    .requiredOption('--emails <list>', 'alert e-mails, separated by ";" (e.g. "a@x.com;b@y.com")')
    .option('--url <url>', 'the webhook URL, where the partner gives it')
    .option('--method <method>', 'HTTP method, where the partner says which (default POST)')
    .option('--alias <alias>', 'integrator alias, where the partner gives it (Mobiaccess)')
    .option('--idp <idp>', 'identity provider header (DIRECTV GO)')
    .option('--name <name>', 'webhook name (default: the partner)')
    .action(async (options: { preset: string; token: string; emails: string; url?: string; method?: string; alias?: string; idp?: string; name?: string }) => {
      const preset = findPreset(options.preset);
      if (!preset) throw new InputError(`--preset: unknown preset "${options.preset}"; see \`reativa presets list\``);
      const settings = loadSettings();
      // The CLI's writer role: the webhook and integrator tables, nothing else of the ERP.
      const result = await againstDatabase("the ERP's database", settings.erpAdminDatabaseUrl, 'REATIVA_ERP_ADMIN_DATABASE_URL', () => addWebhook(settings.erpAdminDatabaseUrl, { ...options, preset }));
      console.log(
        `webhook ${result.webhookId} "${options.name ?? preset.partner}" saved for integrator ${result.integratorId}${result.createdIntegrator ? ' (created)' : ''}; active as soon as Reativa reads it`,
      );
    });

  webhooks
    .command('list')
    .description('list the webhooks in the ERP (header names only; URLs with their query values masked)')
    .option('--json', 'print one JSON array and nothing else')
    .action(async (options: { json?: boolean }) => {
      const url = loadSettings().erpAdminDatabaseUrl;
      const rows = await againstDatabase("the ERP's database", url, 'REATIVA_ERP_ADMIN_DATABASE_URL', () => listWebhooks(url));
      if (options.json) {
        console.log(JSON.stringify(rows));
        return;
      }
      if (rows.length === 0) console.log('no webhooks');
      for (const w of rows) {
        console.log(
          `${String(w.id).padStart(4)}  ${w.active ? 'active  ' : 'inactive'}  ${w.name}  [${w.integrator ?? 'no integrator'} v${w.version ?? '?'}]  preset ${w.preset ?? '-'}  ${w.triggerKind}  ${w.method} ${w.url}  attempts ${w.maxAttempts}${w.headers.length ? `  headers: ${w.headers.join(', ')}` : ''}`,
        );
      }
    });
}
