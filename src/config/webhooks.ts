// Webhooks as routing needs them: the configuration rows joined (integrator,
// headers, parameters, triggers, and the secret columns read from the ERP)
// and validated. An invalid webhook stays inactive with its reasons, in
// Portuguese with the ERP's own labels, since operators read them (alerts);
// it never stops a process. Pure.
import type { SecretTable } from '../capture/tables.js';
import { TRIGGER_KINDS, type TriggerKind } from '../contracts/trigger-event.js';
import { oauthCacheKey, splitParameters, type OAuthClientCredentials } from '../delivery/oauth.js';
import { findPreset, presetFor, type Preset } from '../presets/presets.js';
import { isEmail, parseEmailList } from '../util/email.js';
import { redactUrl, urlSecrets } from '../util/redact.js';
import { graceProblems, triggerRows, versionProblems } from './kinds.js';
import { secretOf, type ConfigView, type IntegratorRow, type NameValue } from './view.js';

export const HTTP_METHODS = ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'] as const;

export interface WebhookProblem {
  readonly code: string;
  readonly message: string;
}

/** An integrator with its secret columns, as far as they have been read from the ERP. */
export interface ResolvedIntegrator extends IntegratorRow {
  readonly url: string | null;
  readonly token: string | null;
  /** The partner preset it follows (presets/presets.ts presetFor): bound to it, or named by its alias; null for none. */
  readonly preset?: string | null;
  /** The preset it is bound to (reativa_cdc.integrator_presets), known or not; null when unbound. */
  readonly boundPreset?: string | null;
}

export interface ResolvedWebhook {
  readonly id: number;
  readonly name: string;
  readonly integrator: ResolvedIntegrator | null;
  readonly method: string;
  /**
   * The real URL, query and all: used to send, and nowhere else. Anything
   * written (a delivery record, a dead letter, an alert, a log line, an
   * e-mail) carries `redactUrl(url)`.
   */
  readonly url: string;
  readonly maxAttempts: number;
  /** The valid addresses of its Lista de E-mails: where its alert e-mails go. */
  readonly alertEmails: readonly string[];
  /** Malformed addresses of the list: skipped (the webhook stays active) and reported to the others. */
  readonly badAlertEmails?: readonly string[];
  readonly headers: readonly { name: string; value: string }[];
  readonly parameters: readonly { name: string; value: string }[];
  /** OAuth 2.0 client credentials among its Parâmetros (delivery/oauth.ts): its requests carry a Bearer token from the integrator's URL. */
  readonly oauth?: OAuthClientCredentials | null;
  readonly triggerKind: TriggerKind | null;
  /** For the standard kind: "entity:action" pairs. */
  readonly triggers: ReadonlySet<string>;
  /** Configured active in the ERP. */
  readonly enabled: boolean;
  readonly activeSince: number | null;
  readonly activeSinceLsn: number | null;
  readonly problems: readonly WebhookProblem[];
  /**
   * Some secret the request needs (the URL, a header or parameter value) has
   * not been read from the ERP yet: the webhook is not active, but it is not
   * invalid either; routing waits for it (LiveConfig.sync) and delivery
   * defers its deliveries rather than give them up.
   */
  readonly secretsPending: boolean;
  /** Every secret value the webhook's requests carry, to mask wherever a partner or a library echoes one back. */
  readonly secrets: readonly string[];
  /** Enabled, valid, its secrets read: the only webhooks routing sends to. */
  readonly active: boolean;
}

const CRLF = /[\r\n]/;
/** RFC 7230 token characters for a header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const byOwner = (rows: Map<number, NameValue>, owner: number) =>
  [...rows.values()].filter((r) => r.ownerId === owner).sort((a, b) => a.id - b.id);

/**
 * Name/value rows with their values from the ERP. A row whose value was never
 * read makes the result pending; a row the ERP no longer has is left out (its
 * delete is on its way through the change stream).
 */
function withValues(view: ConfigView, table: SecretTable, rows: readonly NameValue[]): { values: { name: string; value: string }[]; pending: boolean } {
  const values: { name: string; value: string }[] = [];
  let pending = false;
  for (const r of rows) {
    const secret = secretOf(view, table, r.id);
    if (secret === undefined) pending = true;
    else if (secret !== null) values.push({ name: r.name, value: secret.value ?? '' });
  }
  return { values, pending };
}

function resolveIntegrator(view: ConfigView, row: IntegratorRow): ResolvedIntegrator {
  const secret = secretOf(view, 'integrators', row.id);
  let boundPreset: string | null = null;
  for (const b of view.presetBindings.values()) if (b.integratorAlias === row.alias) boundPreset = b.preset;
  return { ...row, url: secret?.url ?? null, token: secret?.token ?? null, preset: presetFor(row.alias, boundPreset)?.id ?? null, boundPreset };
}

export function resolveWebhook(view: ConfigView, id: number): ResolvedWebhook | undefined {
  const row = view.webhooks.get(id);
  if (!row) return undefined;
  const problems: WebhookProblem[] = [];
  const problem = (code: string, message: string) => problems.push({ code, message });

  const integratorRow = row.integratorId === null ? undefined : view.integrators.get(row.integratorId);
  const integrator = integratorRow ? resolveIntegrator(view, integratorRow) : null;
  if (row.integratorId === null) problem('no_integrator', 'Integrador não informado');
  else if (!integrator) problem('integrator_not_found', `Integrador ${row.integratorId} não encontrado`);
  else {
    if (!integrator.active) problem('integrator_inactive', `Integrador "${integrator.alias}" está inativo`);
    if (integrator.boundPreset && !integrator.preset) {
      problem('unknown_preset', `Integrador "${integrator.alias}" vinculado a uma predefinição de parceiro desconhecida: "${integrator.boundPreset}" (reativa presets list)`);
    }
  }

  // The URL is a secret column: unknown until read, '' when the ERP no longer has the row.
  const urlSecret = secretOf(view, 'webhooks', id);
  const url = urlSecret?.url ?? '';
  let urlOk: boolean;
  try {
    urlOk = ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    urlOk = false;
  }
  // Alerts and logs carry this message: the URL masked, as everywhere it is written.
  if (urlSecret && !urlOk) problem('bad_url', `Url inválida: "${redactUrl(url)}" (deve começar com http:// ou https://)`);
  const method = row.httpMethod.toUpperCase();
  if (!(HTTP_METHODS as readonly string[]).includes(method)) problem('bad_method', `Método HTTP desconhecido: "${row.httpMethod}"`);
  if (!Number.isInteger(row.maxAttempts) || row.maxAttempts <= 0) {
    problem('bad_max_attempts', `Limite de Tentativas para Integrar deve ser um inteiro maior que 0 (é ${row.maxAttempts})`);
  }
  // A malformed address is skipped and reported (VerdictWatcher), never a reason to stop sending.
  const listed = parseEmailList(row.alertEmails);
  const alertEmails = listed.filter(isEmail);
  const badAlertEmails = listed.filter((e) => !isEmail(e));

  const { values: headers, pending: headersPending } = withValues(view, 'webhook_headers', byOwner(view.headers, id));
  for (const h of headers) {
    if (CRLF.test(h.name) || CRLF.test(h.value)) problem('header_crlf', `Header "${h.name.replace(/[\r\n]/g, '⏎')}" contém quebra de linha (CR/LF)`);
    else if (!HEADER_NAME.test(h.name)) problem('bad_header_name', `Nome de header inválido: "${h.name}"`);
  }
  const { values: parameters, pending: parametersPending } = withValues(view, 'webhook_parameters', byOwner(view.webhookParameters, id));
  // OAuth 2.0 client credentials: a token from the integrator's URL, never the secret in the webhook's URL.
  const split = splitParameters(parameters);
  for (const message of split.problems) problem('oauth_parameters', message);
  let oauth: OAuthClientCredentials | null = null;
  if (split.oauth && split.problems.length === 0 && integrator) {
    const tokenUrlOk = isHttpUrl(integrator.url);
    // An integrator whose URL was never read is pending (secretsPending), not invalid.
    if (!tokenUrlOk && secretOf(view, 'integrators', integrator.id) !== undefined) {
      problem('oauth_token_url', `Parâmetros OAuth 2.0 (grant_type=client_credentials): a URL do integrador "${integrator.alias}" (Manutenções / Integrações / Integradores) deve ser a do token (http:// ou https://)`);
    }
    if (headers.some((h) => h.name.toLowerCase() === 'authorization')) {
      problem('oauth_authorization_header', 'Header Authorization não pode ser usado com Parâmetros OAuth 2.0 (grant_type=client_credentials): o token obtido vai nele');
    }
    if (tokenUrlOk) oauth = { tokenUrl: integrator.url, form: split.oauth.form, cacheKey: oauthCacheKey(id, integrator.url, split.oauth.form) };
  }
  const integratorPending = split.oauth !== null && integrator !== null && secretOf(view, 'integrators', integrator.id) === undefined;
  const secretsPending = urlSecret === undefined || headersPending || parametersPending || integratorPending;

  const triggerKind = (TRIGGER_KINDS as readonly string[]).includes(row.triggerKind) ? (row.triggerKind as TriggerKind) : null;
  if (!triggerKind) problem('bad_trigger_kind', `Gatilho do Webhook desconhecido: "${row.triggerKind}"`);
  // Each kind's rules (config/kinds.ts): the versions it works with, its Gatilhos rows, the collector's grace.
  const { triggers, problems: rowProblems } = triggerRows(triggerKind, [...view.triggers.values()].filter((t) => t.webhookId === id));
  if (integrator) {
    const grace = byOwner(view.integratorParameters, integrator.id).map((p) => ({ name: p.name, value: secretOf(view, 'integrator_parameters', p.id)?.value }));
    problems.push(...versionProblems(triggerKind, integrator), ...graceProblems(triggerKind, integrator.alias, grace));
  }
  problems.push(...rowProblems);

  return {
    id,
    name: row.name,
    integrator,
    method,
    url,
    maxAttempts: row.maxAttempts,
    alertEmails,
    badAlertEmails,
    headers,
    parameters,
    oauth,
    triggerKind,
    triggers,
    enabled: row.active,
    activeSince: row.activeSince,
    activeSinceLsn: row.activeSinceLsn,
    problems,
    secretsPending,
    secrets: [...urlSecrets(url), ...headers.flatMap((h) => secretParts(h.value)), ...parameters.map((p) => p.value), ...(oauth ? urlSecrets(oauth.tokenUrl) : [])],
    // A webhook the ERP no longer has (urlSecret null) is on its way out: not active, and no alert for it.
    active: row.active && problems.length === 0 && !secretsPending && urlSecret !== null,
  };
}

/** A header value and, for "Bearer <token>" and the like, its words: a partner may echo the token alone. */
function secretParts(value: string): string[] {
  const words = value.split(/\s+/).filter((w) => w.length >= 8);
  return words.length > 1 ? [value, ...words] : [value];
}

/** Whether a URL parses and is http(s). */
function isHttpUrl(url: string | null): url is string {
  if (url === null) return false;
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** The partner preset a resolved integrator follows (also for one built by hand, without `preset`). */
export function presetOfIntegrator(integrator: ResolvedIntegrator | null): Preset | undefined {
  if (!integrator) return undefined;
  return integrator.preset !== undefined ? (integrator.preset === null ? undefined : findPreset(integrator.preset)) : presetFor(integrator.alias, integrator.boundPreset);
}

export function resolveWebhooks(view: ConfigView): ResolvedWebhook[] {
  return [...view.webhooks.keys()].sort((a, b) => a - b).map((id) => resolveWebhook(view, id)!);
}
