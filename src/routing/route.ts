// Routing, pure: which active webhooks a trigger event goes to, and what each
// receives. Nothing is routed while the ERP's prerequisites are off; changes
// committed before a webhook became active are not sent; a client lacking
// data the partner requires yields a rejection (dead letter and alert), not a
// request that would only burn retries; so does a partner's product not
// registered for streaming where the partner requires it. An event redriven
// from such a refusal (`onlyWebhookId`) goes to that webhook only, its rules
// applied again.
import { createHash } from 'node:crypto';
import { committedBefore, type CommitPosition } from '../config/view.js';
import { KIND_RULES } from '../config/kinds.js';
import { presetOfIntegrator, type ResolvedWebhook } from '../config/webhooks.js';
import type { Delivery } from '../contracts/delivery.js';
import type { TriggerEvent } from '../contracts/trigger-event.js';
import { CLIENT_FIELD_LABELS, clientIssues, productProblems, type ProductState } from '../presets/rules.js';
import { redactUrl } from '../util/redact.js';
import { clientOf, shapeForVersion, withActiveFlags } from './shape.js';

/** Why a delivery was refused, for the operators' e-mail: the client, the contract and the ERP labels of what is missing. */
export interface RefusalDetail {
  readonly clientId: number | null;
  readonly clientName: string | null;
  readonly contractId: number | null;
  /** The ERP labels of the client's fields that are missing or invalid (E-mail, Telefone, Celular). */
  readonly fields: readonly string[];
}

export type Routed =
  | { readonly outcome: 'deliver'; readonly webhook: ResolvedWebhook; readonly delivery: Delivery }
  | {
      readonly outcome: 'rejected';
      readonly webhook: ResolvedWebhook;
      readonly reasons: readonly string[];
      readonly event: TriggerEvent;
      readonly detail: RefusalDetail;
      /** The delivery as it would have been sent: kept in the dead letter, so `reativa dlq redrive` can send it once the ERP's data is fixed. */
      readonly delivery: Delivery;
    };

/** "Utiliza Streaming" of a catalogue product (Produtos/Serviços) by id; undefined when unknown. */
export type StreamingLookup = (serviceProductId: number) => boolean | undefined;

export function deliveryId(eventId: string, webhookId: number): string {
  return createHash('sha256').update(`${eventId}|${webhookId}`).digest('hex').slice(0, 32);
}

export function matches(webhook: ResolvedWebhook, event: TriggerEvent): boolean {
  if (!webhook.active || webhook.triggerKind !== event.kind) return false;
  if (webhook.activeSince === null || committedBefore(positionOf(event), { at: webhook.activeSince, lsn: webhook.activeSinceLsn })) return false;
  // Every kind has its rule (config/kinds.ts): its Gatilhos rows, its integrator, or the kind alone.
  switch (KIND_RULES[event.kind].match) {
    case 'entity_rows':
      return webhook.triggers.has(`${event.entity}:${event.action}`);
    case 'integrator':
      return event.integratorId !== null && webhook.integrator?.id === event.integratorId;
    case 'kind':
      return true;
  }
}

const positionOf = (event: TriggerEvent): CommitPosition => ({ at: event.source.committedAt, lsn: event.source.lsn });

/**
 * `prerequisitesAt` answers whether the ERP's prerequisites were on at a
 * change's commit; `usesStreaming` reads the catalogue's "Utiliza Streaming"
 * for partners that require it (live configuration: a product fixed in the
 * ERP is judged as it is now).
 */
export function route(
  event: TriggerEvent,
  webhooks: readonly ResolvedWebhook[],
  prerequisitesAt: (position: CommitPosition) => boolean,
  now: number,
  usesStreaming: StreamingLookup = () => undefined,
): Routed[] {
  if (!prerequisitesAt(positionOf(event))) return [];
  const routed: Routed[] = [];
  // A redriven refusal: the other webhooks the change reached have had it already.
  const only = event.onlyWebhookId ?? null;
  for (const webhook of webhooks) {
    if (only !== null && webhook.id !== only) continue;
    if (!matches(webhook, event)) continue;
    const integrator = webhook.integrator!;
    // A preset names the partner's rules for its service changes only (the SVA partners).
    const preset = event.kind === 'contract_service_change' ? presetOfIntegrator(integrator) : undefined;
    // Partner rules and version additions concern the SVA partners' service changes only: every other body goes out as documented.
    // The rule sees every service of the contract, whatever its integrator (DIRECTV GO's basic package is the passive integration's).
    const flagged = event.kind === 'contract_service_change' ? withActiveFlags(event.body, preset?.activation ?? { kind: 'always' }, event.contractServiceCodes ?? undefined) : event.body;
    const delivery: Delivery = {
      deliveryId: deliveryId(event.eventId, webhook.id),
      eventId: event.eventId,
      webhookId: webhook.id,
      integratorId: integrator.id,
      contractId: event.contractId,
      aggregateKey: event.aggregateKey,
      kind: event.kind,
      entity: event.entity,
      action: event.action,
      method: webhook.method,
      // For people reading the topic only: delivery sends to the webhook's real
      // URL from the live configuration. Its query values (tokens) never go to Kafka.
      url: redactUrl(webhook.url),
      committedAt: event.source.committedAt,
      routedAt: now,
      body: shapeForVersion(flagged, event.kind, integrator.version, integrator),
    };
    if (preset) {
      const client = clientOf(event.body);
      const issues = client ? clientIssues(preset, { email: client.Email ?? null, phone: client.Phone ?? null, cellPhone: client.CellPhone ?? null }) : [];
      const reasons = [...issues.map((i) => i.message), ...productProblems(preset, productsOf(event.body, usesStreaming))];
      if (reasons.length > 0) {
        const detail: RefusalDetail = {
          clientId: typeof client?.Id === 'number' ? client.Id : null,
          clientName: client?.Name ?? null,
          contractId: event.contractId,
          fields: issues.map((i) => CLIENT_FIELD_LABELS[i.field]),
        };
        routed.push({ outcome: 'rejected', webhook, reasons, event, detail, delivery });
        continue;
      }
    }
    routed.push({ outcome: 'deliver', webhook, delivery });
  }
  return routed;
}

/** The catalogue products of a service-change body (its services and those added or removed), with their "Utiliza Streaming". */
function productsOf(body: TriggerEvent['body'], usesStreaming: StreamingLookup): ProductState[] {
  const contract = body.Contract as { Services?: unknown } | undefined;
  const change = body.ServiceChange as { Added?: unknown; Removed?: unknown } | undefined;
  const services = [contract?.Services, change?.Added].flatMap((list) => (Array.isArray(list) ? (list as unknown[]) : []));
  const products: ProductState[] = [];
  for (const s of services) {
    const service = s as { ServiceProductId?: unknown; Title?: unknown };
    if (typeof service.ServiceProductId !== 'number') continue;
    products.push({ id: service.ServiceProductId, title: typeof service.Title === 'string' ? service.Title : null, usesStreaming: usesStreaming(service.ServiceProductId) });
  }
  return products;
}
