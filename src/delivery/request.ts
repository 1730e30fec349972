// The HTTP request for one delivery, pure: the webhook's method and URL, its
// parameters as query-string parameters (OAuth 2.0 client credentials aside:
// they buy a Bearer token, oauth.ts), its headers (a name may repeat), the
// JSON body, and the ids partners use to drop duplicates. Secrets enter here,
// at send time, from the live configuration; they are never in Kafka records.
import { createHmac } from 'node:crypto';
import type { ResolvedWebhook } from '../config/webhooks.js';
import type { Delivery } from '../contracts/delivery.js';
import { splitParameters, type OAuthClientCredentials } from './oauth.js';

export const EVENT_ID_HEADER = 'x-reativa-event-id';
export const DELIVERY_ID_HEADER = 'x-reativa-delivery-id';

/**
 * A webhook parameter with this name is not sent: its value is the signing
 * secret (Standard Webhooks: "whsec_" + base64 key), and requests are signed.
 */
export const SIGNING_SECRET_PARAMETER = 'reativa_signing_secret';

/**
 * Headers only the HTTP client may set: the target host, the connection, the
 * body's framing. undici refuses some when a webhook sets them and would send
 * others (Host, Connection) as given; either way the webhook is misconfigured.
 */
export const CLIENT_HEADERS: ReadonlySet<string> = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'content-length', 'te', 'trailer', 'upgrade', 'expect']);

/** Standard Webhooks signature: v1,base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")). */
export function standardWebhooksSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

export interface OutgoingRequest {
  readonly method: string;
  readonly url: string;
  /** `url` split the way the HTTP client wants it. */
  readonly origin: string;
  readonly path: string;
  /** In order; a name may appear more than once. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string | undefined;
  /** Why the request must not be sent as configured (a header only the HTTP client may set): the sender refuses it, permanently. */
  readonly invalid?: string | undefined;
  /** The webhook's OAuth 2.0 client credentials: the sender adds `Authorization: Bearer <token>` from the token endpoint. */
  readonly oauth?: OAuthClientCredentials | undefined;
}

/** What a webhook contributes to every request, worked out once per configuration version. */
interface RequestTemplate {
  readonly url: string;
  readonly origin: string;
  readonly path: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly secret: string | undefined;
  readonly invalid: string | undefined;
}

// Keyed by the resolved webhook object, which the live configuration replaces
// whenever the webhook changes: a stale template can never be used.
const templates = new WeakMap<ResolvedWebhook, RequestTemplate>();

function templateOf(webhook: ResolvedWebhook): RequestTemplate {
  let template = templates.get(webhook);
  if (template) return template;
  const url = new URL(webhook.url);
  let secret: string | undefined;
  for (const p of splitParameters(webhook.parameters).query) {
    if (p.name === SIGNING_SECRET_PARAMETER) secret = p.value;
    else url.searchParams.append(p.name, p.value);
  }
  const clientHeader = webhook.headers.find((h) => CLIENT_HEADERS.has(h.name.toLowerCase()));
  const invalid = clientHeader ? `header "${clientHeader.name}" não pode ser configurado no webhook: é definido pelo cliente HTTP` : undefined;
  template = { url: url.toString(), origin: url.origin, path: `${url.pathname}${url.search}`, headers: webhook.headers.map((h) => [h.name, h.value] as const), secret, invalid };
  templates.set(webhook, template);
  return template;
}

/** `bodyText`, when given, is the body already serialised (as it came from Kafka): sent as is. */
export function buildRequest(delivery: Delivery, webhook: ResolvedWebhook, now = Date.now(), bodyText?: string): OutgoingRequest {
  const { url, origin, path, headers: configured, secret, invalid } = templateOf(webhook);
  const headers: (readonly [string, string])[] = [
    ['content-type', 'application/json'],
    ['user-agent', 'Reativa'],
    [EVENT_ID_HEADER, delivery.eventId],
    [DELIVERY_ID_HEADER, delivery.deliveryId],
    ...configured,
  ];
  // A GET carries no body on the wire; its data would have to travel in the URL, which no partner asks for.
  const body = webhook.method === 'GET' ? undefined : (bodyText ?? JSON.stringify(delivery.body));
  if (secret) {
    const timestamp = Math.floor(now / 1000);
    headers.push(['webhook-id', delivery.eventId], ['webhook-timestamp', String(timestamp)], ['webhook-signature', standardWebhooksSignature(secret, delivery.eventId, timestamp, body ?? '')]);
  }
  return { method: webhook.method, url, origin, path, headers, body, invalid, oauth: webhook.oauth ?? undefined };
}
