// The HTTP request for one delivery, pure: the webhook's method and URL, its
// parameters as query-string parameters, its headers (a name may repeat), the
// JSON body, and the ids partners use to drop duplicates. Secrets enter here,
// at send time, from the live configuration; they are never in Kafka records.
import type { ResolvedWebhook } from '../config/webhooks.js';
import type { Delivery } from '../routing/route.js';

export const EVENT_ID_HEADER = 'x-reativa-event-id';
export const DELIVERY_ID_HEADER = 'x-reativa-delivery-id';

export interface OutgoingRequest {
  readonly method: string;
  readonly url: string;
  /** In order; a name may appear more than once. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string | undefined;
}

export function buildRequest(delivery: Delivery, webhook: ResolvedWebhook): OutgoingRequest {
  const url = new URL(webhook.url);
  for (const p of webhook.parameters) url.searchParams.append(p.name, p.value);
  const headers: [string, string][] = [
    ['content-type', 'application/json'],
    ['user-agent', 'Reativa'],
    [EVENT_ID_HEADER, delivery.eventId],
    [DELIVERY_ID_HEADER, delivery.deliveryId],
  ];
  for (const h of webhook.headers) headers.push([h.name, h.value]);
  // A GET carries no body on the wire; its data would have to travel in the URL, which no partner asks for.
  const body = webhook.method === 'GET' ? undefined : JSON.stringify(delivery.body);
  return { method: webhook.method, url: url.toString(), headers, body };
}
