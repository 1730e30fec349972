// Alert records on reativa.alerts: what operators must hear about, as JSON,
// with a deterministic id so several processes publishing the same alert can
// be told apart from two different ones. Messages are Brazilian Portuguese.
import { createHash } from 'node:crypto';

export type AlertType = 'webhook_invalid' | 'webhook_valid' | 'client_data_missing' | 'delivery_failed';

export interface Alert {
  readonly alertId: string;
  readonly type: AlertType;
  readonly at: string;
  readonly webhookId: number;
  readonly webhookName: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export function alert(type: AlertType, webhook: { id: number; name: string }, message: string, details: Record<string, unknown>, identity: string): Alert {
  const alertId = createHash('sha256').update(`${type}|${webhook.id}|${identity}`).digest('hex').slice(0, 32);
  return { alertId, type, at: new Date().toISOString(), webhookId: webhook.id, webhookName: webhook.name, message, details };
}
