// The contract of reativa.deliveries and the retry topics: one trigger event
// routed to one webhook, keyed by `<webhook id>|<aggregate key>` (per webhook
// and contract order is what delivery keeps), Avro (schemas/delivery.avsc).
// Carries no secrets: headers, tokens and parameters are read from the
// configuration when sending.
import type { AvroContract, Body } from './contract.js';
import { DELIVERY_SCHEMA, type DeliveryRecord } from './generated/delivery.js';

export interface Delivery extends Omit<DeliveryRecord, 'body'> {
  readonly body: Body;
}

/**
 * Kafka headers of a delivery record. Routing writes none (the ids are in the
 * record, and headers cost a third of producing one); a redriven dead letter
 * says where it came from.
 */
export const DELIVERY_HEADERS = { redrivenFrom: 'reativa-redriven-from' } as const;

/** Kafka key of a delivery. */
export const deliveryKey = (d: Pick<Delivery, 'webhookId' | 'aggregateKey'>) => `${d.webhookId}|${d.aggregateKey}`;

/** The webhook id a delivery key starts with (the inverse of deliveryKey's first part); -1 for a key not made by it. */
export function webhookOfDeliveryKey(key: string): number {
  const bar = key.indexOf('|');
  const id = bar > 0 ? Number(key.slice(0, bar)) : Number.NaN;
  return Number.isSafeInteger(id) ? id : -1;
}

/**
 * A delivery read back from a topic, with its body kept as the text routing
 * wrote, parsed only if read. A class, not a spread with a getter: delivery
 * makes one per record on its hot path.
 */
export class ReceivedDelivery implements Delivery {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly webhookId: number;
  readonly integratorId: number | null;
  readonly contractId: number | null;
  readonly aggregateKey: string;
  readonly kind: string;
  readonly entity: string | null;
  readonly action: string;
  readonly method: string;
  readonly url: string;
  readonly committedAt: number;
  readonly routedAt: number;
  readonly bodyText: string;
  private parsed: Body | undefined;

  constructor(record: DeliveryRecord) {
    this.deliveryId = record.deliveryId;
    this.eventId = record.eventId;
    this.webhookId = record.webhookId;
    this.integratorId = record.integratorId;
    this.contractId = record.contractId;
    this.aggregateKey = record.aggregateKey;
    this.kind = record.kind;
    this.entity = record.entity;
    this.action = record.action;
    this.method = record.method;
    this.url = record.url;
    this.committedAt = record.committedAt;
    this.routedAt = record.routedAt;
    this.bodyText = record.body;
  }

  get body(): Body {
    return (this.parsed ??= JSON.parse(this.bodyText) as Body);
  }
}

export const DELIVERY: AvroContract<Delivery, DeliveryRecord, ReceivedDelivery> = {
  name: 'delivery',
  schema: DELIVERY_SCHEMA,
  // A delivery read back keeps its body text: written again, it is the same bytes.
  toRecord: (d) => ({ ...recordFields(d), body: d instanceof ReceivedDelivery ? d.bodyText : JSON.stringify(d.body) }),
  fromRecord: (record) => new ReceivedDelivery(record),
};

function recordFields(d: Omit<Delivery, 'body'>): Omit<DeliveryRecord, 'body'> {
  return {
    deliveryId: d.deliveryId,
    eventId: d.eventId,
    webhookId: d.webhookId,
    integratorId: d.integratorId,
    contractId: d.contractId,
    aggregateKey: d.aggregateKey,
    kind: d.kind,
    entity: d.entity,
    action: d.action,
    method: d.method,
    url: d.url,
    committedAt: d.committedAt,
    routedAt: d.routedAt,
  };
}
