// The contract of reativa.alerts: what operators must hear about, as JSON,
// keyed by webhook id, with a deterministic id so several processes publishing
// the same alert can be told apart from two different ones. Messages are in
// Brazilian Portuguese, with the ERP's labels.
import { createHash } from 'node:crypto';
import type { OutgoingRecord } from './dead-letter.js';

export type AlertType = 'webhook_invalid' | 'webhook_valid' | 'alert_emails_invalid' | 'client_data_missing' | 'delivery_failed';

export interface Alert {
  readonly alertId: string;
  readonly type: AlertType;
  readonly at: string;
  readonly webhookId: number;
  readonly webhookName: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export const ALERT_HEADERS = { alertId: 'reativa-alert-id' } as const;

/** `identity` tells this alert from others of its type and webhook: the same identity gives the same alertId. */
export function alert(type: AlertType, webhook: { id: number; name: string }, message: string, details: Record<string, unknown>, identity: string, now = new Date()): Alert {
  const alertId = createHash('sha256').update(`${type}|${webhook.id}|${identity}`).digest('hex').slice(0, 32);
  return { alertId, type, at: now.toISOString(), webhookId: webhook.id, webhookName: webhook.name, message, details };
}

export const alertRecord = (a: Alert): OutgoingRecord => ({ key: String(a.webhookId), value: JSON.stringify(a), headers: { [ALERT_HEADERS.alertId]: a.alertId } });
