// Writing webhook configuration into the ERP's own tables, as the ERP's screens
// would (Integradores, Interações Webhooks): used by `reativa webhooks add`.
// Reativa never keeps a second copy: what it writes here reaches it back through
// the change stream like any operator's edit. The CLI connects as its writer
// role (REATIVA_ERP_ADMIN_DATABASE_URL), which may write these tables and
// nothing else, and cannot read a token back (src/stack/erp-roles.ts).
import { findPreset, presetFor, PRESETS, type Preset } from '../presets/presets.js';
import { InputError } from '../errors/input-error.js';
import { isEmail, parseEmailList } from '../util/email.js';
import { redactUrl } from '../util/redact.js';
import { createClient } from '../db/pool.js';

export interface AddWebhookInput {
  readonly preset: Preset;
  readonly name?: string;
  readonly token: string;
  readonly emails: string;
  readonly url?: string;
  readonly method?: string;
  readonly alias?: string;
  readonly idp?: string;
}

/** Checks the CLI input against the preset; throws InputError naming the bad option. */
export function planWebhook(input: AddWebhookInput) {
  const { preset } = input;
  const url = input.url ?? preset.url;
  if (!url) throw new InputError(`--url is required: ${preset.partner} gives the webhook URL (Url: "Conforme informado pela integradora")`);
  try {
    if (!['http:', 'https:'].includes(new URL(url).protocol)) throw new Error();
  } catch {
    // Masked: a terminal's scrollback and a CI log are places too.
    throw new InputError(`--url must be an http(s) URL, got "${redactUrl(url)}"`);
  }
  const alias = input.alias ?? preset.alias;
  if (!alias) throw new InputError(`--alias is required: ${preset.partner} gives the integrator alias`);
  const method = (input.method ?? preset.method ?? 'POST').toUpperCase();
  if (preset.method && input.method && method !== preset.method) throw new InputError(`--method: ${preset.partner} requires ${preset.method}`);
  if (!['POST', 'PUT', 'PATCH', 'GET', 'DELETE'].includes(method)) throw new InputError(`--method must be POST, PUT, PATCH, GET or DELETE, got "${input.method}"`);
  const emails = parseEmailList(input.emails);
  if (emails.length === 0) throw new InputError('--emails needs at least one address (separate several with ";")');
  for (const e of emails) if (!isEmail(e)) throw new InputError(`--emails: "${e}" is not an e-mail address`);
  if (/[\r\n]/.test(input.token)) throw new InputError('--token must not contain line breaks');
  const headers = preset.headers.map((h) => {
    if (h.value.includes('{idp}') && !input.idp) throw new InputError(`--idp is required: ${preset.partner} needs the "${h.name}" header (${h.description})`);
    return { name: h.name, value: h.value.replace('{token}', input.token).replace('{idp}', input.idp ?? '') };
  });
  return {
    alias,
    version: preset.version,
    name: input.name ?? preset.partner,
    method,
    url,
    maxAttempts: preset.maxAttempts,
    emails: emails.join(';'),
    headers,
    triggerKind: preset.triggerKind,
  };
}

export async function addWebhook(erpDatabaseUrl: string, input: AddWebhookInput): Promise<{ webhookId: number; integratorId: number; createdIntegrator: boolean }> {
  const plan = planWebhook(input);
  const client = createClient({ connectionString: erpDatabaseUrl, connectionTimeoutMillis: 5000, statement_timeout: 10_000 });
  await client.connect();
  try {
    await client.query('BEGIN');
    const existing = await client.query<{ id: string; version: number }>('SELECT id, version FROM integrators WHERE alias = $1', [plan.alias]);
    let integratorId: number;
    let createdIntegrator = false;
    if (existing.rows[0]) {
      integratorId = Number(existing.rows[0].id);
      if (existing.rows[0].version !== plan.version) {
        throw new InputError(`integrator "${plan.alias}" exists with version ${existing.rows[0].version}; ${input.preset.partner} uses version ${plan.version}`);
      }
    } else {
      const created = await client.query<{ id: string }>(
        "INSERT INTO integrators (alias, description, integration_type, version, active) VALUES ($1, $2, 'reactive', $3, true) RETURNING id",
        [plan.alias, input.preset.partner, plan.version],
      );
      integratorId = Number(created.rows[0]!.id);
      createdIntegrator = true;
    }
    const webhook = await client.query<{ id: string }>(
      `INSERT INTO webhooks (name, integrator_id, http_method, url, max_attempts, alert_emails, trigger_kind, active, activated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, true, now()) RETURNING id`,
      [plan.name, integratorId, plan.method, plan.url, plan.maxAttempts, plan.emails, plan.triggerKind],
    );
    const webhookId = Number(webhook.rows[0]!.id);
    for (const h of plan.headers) {
      await client.query('INSERT INTO webhook_headers (webhook_id, name, value) VALUES ($1, $2, $3)', [webhookId, h.name, h.value]);
    }
    // The integrator follows this preset from now on, whatever its alias (Mobiaccess gives its own): in the same transaction.
    await client.query(BIND_SQL, [plan.alias, input.preset.id]);
    await client.query('COMMIT');
    return { webhookId, integratorId, createdIntegrator };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** Binds an integrator alias to a preset (one binding per alias: a new one replaces it). */
const BIND_SQL = `INSERT INTO reativa_cdc.integrator_presets (integrator_alias, preset) VALUES ($1, $2)
  ON CONFLICT (integrator_alias) DO UPDATE SET preset = EXCLUDED.preset, bound_at = now()`;

/** Checks `presets bind`'s arguments; throws InputError naming the bad one. */
export function planBinding(alias: string, presetId: string): { alias: string; preset: Preset } {
  const trimmed = alias.trim();
  if (trimmed === '') throw new InputError('<integrator alias> must not be empty');
  const preset = findPreset(presetId.trim().toLowerCase());
  if (!preset) throw new InputError(`<preset>: unknown preset "${presetId}"; one of: ${PRESETS.map((p) => p.id).join(', ')}`);
  return { alias: trimmed, preset };
}

/** `reativa presets bind`: the integrator with this alias follows the preset (its rules, its activation). */
export async function bindPreset(erpDatabaseUrl: string, alias: string, presetId: string): Promise<{ alias: string; preset: Preset; integratorExists: boolean }> {
  const plan = planBinding(alias, presetId);
  const client = createClient({ connectionString: erpDatabaseUrl, connectionTimeoutMillis: 5000, statement_timeout: 10_000 });
  await client.connect();
  try {
    await client.query(BIND_SQL, [plan.alias, plan.preset.id]);
    const integrator = await client.query('SELECT 1 FROM integrators WHERE alias = $1', [plan.alias]);
    return { ...plan, integratorExists: integrator.rowCount !== null && integrator.rowCount > 0 };
  } finally {
    await client.end();
  }
}

export interface WebhookListing {
  readonly id: number;
  readonly name: string;
  readonly integrator: string | null;
  readonly version: number | null;
  readonly method: string;
  readonly url: string;
  readonly maxAttempts: number;
  readonly triggerKind: string;
  readonly active: boolean;
  readonly headers: readonly string[];
  /** The partner preset its integrator follows (bound, or named by its alias); null for none. */
  readonly preset: string | null;
}

/** The webhooks as the ERP has them (header names only: values are secrets; URLs with their query masked). */
export async function listWebhooks(erpDatabaseUrl: string): Promise<WebhookListing[]> {
  const client = createClient({ connectionString: erpDatabaseUrl, connectionTimeoutMillis: 5000, statement_timeout: 10_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{
      id: string; name: string; alias: string | null; version: number | null; http_method: string; url: string;
      max_attempts: number; trigger_kind: string; active: boolean; headers: string[] | null; bound_preset: string | null;
    }>(
      `SELECT w.id, w.name, i.alias, i.version, w.http_method, w.url, w.max_attempts, w.trigger_kind, w.active,
              (SELECT array_agg(h.name ORDER BY h.id) FROM webhook_headers h WHERE h.webhook_id = w.id) AS headers,
              (SELECT b.preset FROM reativa_cdc.integrator_presets b WHERE b.integrator_alias = i.alias) AS bound_preset
         FROM webhooks w LEFT JOIN integrators i ON i.id = w.integrator_id ORDER BY w.id`,
    );
    return rows.map((r) => ({
      id: Number(r.id), name: r.name, integrator: r.alias, version: r.version, method: r.http_method, url: redactUrl(r.url),
      maxAttempts: r.max_attempts, triggerKind: r.trigger_kind, active: r.active, headers: r.headers ?? [],
      preset: r.alias === null ? null : (presetFor(r.alias, r.bound_preset)?.id ?? (r.bound_preset ? `${r.bound_preset} (unknown)` : null)),
    }));
  } finally {
    await client.end();
  }
}
