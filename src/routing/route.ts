// Routing, pure: which active webhooks a trigger event goes to, and what each
// receives. Nothing is routed while the ERP's prerequisites are off; changes
// committed before a webhook became active are not sent; a client lacking
// data the partner requires yields a rejection (dead letter and alert), not a
// request that would only burn retries.
import { createHash } from 'node:crypto';
import { committedBefore, type CommitPosition } from '../config/view.js';
import type { ResolvedWebhook } from '../config/webhooks.js';
import type { Delivery } from '../contracts/delivery.js';
import type { TriggerEvent } from '../contracts/trigger-event.js';
import { presetForAlias } from '../presets/presets.js';
import { clientProblems } from '../presets/rules.js';
import { redactUrl } from '../util/redact.js';
import { clientOf, shapeForVersion, withActiveFlags } from './shape.js';

export type Routed =
  | { readonly outcome: 'deliver'; readonly webhook: ResolvedWebhook; readonly delivery: Delivery }
  | { readonly outcome: 'rejected'; readonly webhook: ResolvedWebhook; readonly reasons: readonly string[]; readonly event: TriggerEvent };

export function deliveryId(eventId: string, webhookId: number): string {
  return createHash('sha256').update(`${eventId}|${webhookId}`).digest('hex').slice(0, 32);
}

export function matches(webhook: ResolvedWebhook, event: TriggerEvent): boolean {
  if (!webhook.active || webhook.triggerKind !== event.kind) return false;
  if (webhook.activeSince === null || committedBefore(positionOf(event), { at: webhook.activeSince, lsn: webhook.activeSinceLsn })) return false;
  switch (event.kind) {
    case 'standard':
      return webhook.triggers.has(`${event.entity}:${event.action}`);
    case 'contract_service_change':
    case 'contract_patrimony_change':
      return event.integratorId !== null && webhook.integrator?.id === event.integratorId;
    default:
      return true;
  }
}

const positionOf = (event: TriggerEvent): CommitPosition => ({ at: event.source.committedAt, lsn: event.source.lsn });

/** `prerequisitesAt` answers whether the ERP's prerequisites were on at a change's commit. */
export function route(event: TriggerEvent, webhooks: readonly ResolvedWebhook[], prerequisitesAt: (position: CommitPosition) => boolean, now: number): Routed[] {
  if (!prerequisitesAt(positionOf(event))) return [];
  const routed: Routed[] = [];
  for (const webhook of webhooks) {
    if (!matches(webhook, event)) continue;
    const integrator = webhook.integrator!;
    const preset = presetForAlias(integrator.alias);
    if (preset && preset.requiredClientFields.length > 0) {
      const client = clientOf(event.body);
      if (client) {
        const problems = clientProblems(preset, { email: client.Email ?? null, phone: client.Phone ?? null, cellPhone: client.CellPhone ?? null });
        if (problems.length > 0) {
          routed.push({ outcome: 'rejected', webhook, reasons: problems, event });
          continue;
        }
      }
    }
    const flagged = withActiveFlags(event.body, preset?.activation ?? { kind: 'always' });
    routed.push({
      outcome: 'deliver',
      webhook,
      delivery: {
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
        body: shapeForVersion(flagged, integrator.version, integrator),
      },
    });
  }
  return routed;
}
