// OAuth 2.0 client credentials in a webhook's Parâmetros, pure. The guide's
// example fills Parâmetros with grant_type=client_credentials, a client_id
// and a client_secret: those are credentials, not query-string parameters.
// Such a webhook's requests carry `Authorization: Bearer <access token>`,
// the token obtained from the integrator's URL (its token endpoint) with the
// OAuth parameters as a form; the secret never goes into a URL. Every other
// parameter still goes in the query string. The token request itself (I/O,
// with its cache) is src/stages/delivery/oauth-client.ts; what its answer
// means is decided here.
import { createHash } from 'node:crypto';

/** Parameter names (case-insensitive) that belong to the token request, not to the webhook's URL. */
export const OAUTH_PARAMETERS: ReadonlySet<string> = new Set(['grant_type', 'client_id', 'client_secret', 'scope', 'audience', 'resource']);

export const CLIENT_CREDENTIALS = 'client_credentials';

/** What the token request needs: where, and the form it posts. */
export interface OAuthClientCredentials {
  /** The token endpoint: the integrator's URL. */
  readonly tokenUrl: string;
  /** grant_type, client_id, client_secret and any scope/audience/resource, as configured (names lower-cased). */
  readonly form: readonly (readonly [string, string])[];
  /** Tokens are cached per webhook and per credentials: a change of either asks for a new one. */
  readonly cacheKey: string;
}

export interface ParameterSplit {
  /** The OAuth parameters, when the webhook has grant_type=client_credentials; null otherwise. */
  readonly oauth: { readonly form: readonly (readonly [string, string])[] } | null;
  /** Parameters for the query string (the signing secret aside: request.ts). */
  readonly query: readonly { readonly name: string; readonly value: string }[];
  /** Why the OAuth parameters cannot be used, in Portuguese with the ERP's labels; empty when fine. */
  readonly problems: readonly string[];
}

const lower = (name: string) => name.trim().toLowerCase();

/** Splits a webhook's Parâmetros into OAuth client credentials and query-string parameters. */
export function splitParameters(parameters: readonly { readonly name: string; readonly value: string }[]): ParameterSplit {
  const grant = parameters.find((p) => lower(p.name) === 'grant_type');
  if (!grant) return { oauth: null, query: parameters, problems: [] };
  const problems: string[] = [];
  if (grant.value.trim() !== CLIENT_CREDENTIALS) {
    problems.push(`Parâmetros: grant_type "${grant.value}" não suportado (OAuth 2.0: apenas ${CLIENT_CREDENTIALS})`);
  }
  const form: (readonly [string, string])[] = [];
  const query: { name: string; value: string }[] = [];
  for (const p of parameters) {
    if (OAUTH_PARAMETERS.has(lower(p.name))) form.push([lower(p.name), p.value.trim()] as const);
    else query.push(p);
  }
  for (const needed of ['client_id', 'client_secret']) {
    if (!form.some(([name, value]) => name === needed && value !== '')) problems.push(`Parâmetros OAuth 2.0 (grant_type=${CLIENT_CREDENTIALS}) incompletos: falta ${needed}`);
  }
  return { oauth: { form }, query, problems };
}

/** The token request's cache key: the webhook and a digest of where and with what it asks (never the secret itself). */
export function oauthCacheKey(webhookId: number, tokenUrl: string, form: readonly (readonly [string, string])[]): string {
  const digest = createHash('sha256').update(JSON.stringify([tokenUrl, form])).digest('hex').slice(0, 32);
  return `${webhookId}|${digest}`;
}

/** Tokens without expires_in are kept this long. */
export const DEFAULT_TOKEN_LIFETIME_MS = 300_000;
/** A token is renewed this long before it expires (at most a tenth of its lifetime), so none expires in flight. */
export const TOKEN_RENEW_MARGIN_MS = 60_000;

export type TokenAnswer =
  | { readonly ok: true; readonly accessToken: string; /** Until when the cached token may be used (epoch ms). */ readonly usableUntil: number }
  | { readonly ok: false; readonly retryable: boolean; readonly reason: string };

const RETRYABLE_STATUSES = new Set([408, 425, 429]);

const describeError = (json: Record<string, unknown> | null): string => {
  const error = typeof json?.error === 'string' ? json.error : '';
  const description = typeof json?.error_description === 'string' ? json.error_description : '';
  return [error, description].filter(Boolean).join(': ');
};

/**
 * What the token endpoint's answer means: a token and how long to keep it, or
 * a failure, retryable (the server away or busy: 5xx, 408, 425, 429) or
 * permanent (it refused the credentials: 4xx), with the reason operators read.
 */
export function readTokenAnswer(status: number, body: string, now: number): TokenAnswer {
  let json: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    json = null;
  }
  if (status >= 500 || RETRYABLE_STATUSES.has(status)) {
    return { ok: false, retryable: true, reason: `token OAuth 2.0: o servidor de autorização (Url do integrador) respondeu HTTP ${status}` };
  }
  if (status < 200 || status >= 300) {
    const detail = describeError(json);
    const hint = json?.error === 'invalid_client' || status === 401 ? ': verifique client_id e client_secret nos Parâmetros do webhook' : '';
    return { ok: false, retryable: false, reason: `token OAuth 2.0 recusado pelo servidor de autorização (HTTP ${status}${detail ? `, ${detail}` : ''})${hint}` };
  }
  const token = json?.access_token;
  if (typeof token !== 'string' || token === '') return { ok: false, retryable: false, reason: 'token OAuth 2.0: a resposta do servidor de autorização não traz access_token' };
  const type = json?.token_type;
  if (typeof type === 'string' && type.toLowerCase() !== 'bearer') {
    return { ok: false, retryable: false, reason: `token OAuth 2.0 do tipo "${type}" não suportado (apenas Bearer)` };
  }
  const expiresIn = typeof json?.expires_in === 'number' ? json.expires_in : typeof json?.expires_in === 'string' ? Number(json.expires_in) : NaN;
  const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : DEFAULT_TOKEN_LIFETIME_MS;
  return { ok: true, accessToken: token, usableUntil: now + lifetime - Math.min(TOKEN_RENEW_MARGIN_MS, lifetime / 10) };
}
