// Generated from schemas/delivery.avsc by `npm run contracts:generate`: do not edit by hand.
// A unit test (test/unit/contracts/generated.test.ts) fails when this file and the schema differ.

/** The Avro schema, as registered with the schema registry (JSON.stringify it to register). */
export const DELIVERY_SCHEMA: object = {
  "type": "record",
  "name": "Delivery",
  "namespace": "io.reativa.deliveries",
  "doc": "One trigger event routed to one webhook (reativa.deliveries), keyed by webhook and contract. Carries no secrets: headers, tokens and parameters are resolved from configuration when sending.",
  "fields": [
    {
      "name": "deliveryId",
      "type": "string",
      "doc": "Deterministic: derived from eventId and webhookId."
    },
    {
      "name": "eventId",
      "type": "string",
      "doc": "The trigger event's id; sent to partners so they can drop duplicates."
    },
    {
      "name": "webhookId",
      "type": "long"
    },
    {
      "name": "integratorId",
      "type": [
        "null",
        "long"
      ],
      "default": null
    },
    {
      "name": "contractId",
      "type": [
        "null",
        "long"
      ],
      "default": null
    },
    {
      "name": "aggregateKey",
      "type": "string"
    },
    {
      "name": "kind",
      "type": "string"
    },
    {
      "name": "entity",
      "type": [
        "null",
        "string"
      ],
      "default": null
    },
    {
      "name": "action",
      "type": "string"
    },
    {
      "name": "method",
      "type": "string"
    },
    {
      "name": "url",
      "type": "string",
      "doc": "The webhook URL masked, for people reading the topic: no user info, every query value and the fragment as ***. Delivery sends to the real URL from the live configuration, with the webhook parameters added as query parameters at send time."
    },
    {
      "name": "committedAt",
      "type": {
        "type": "long",
        "logicalType": "timestamp-millis"
      }
    },
    {
      "name": "routedAt",
      "type": {
        "type": "long",
        "logicalType": "timestamp-millis"
      }
    },
    {
      "name": "body",
      "type": "string",
      "doc": "The JSON body, shaped for the integrator's version, as text."
    }
  ]
};

/** One trigger event routed to one webhook (reativa.deliveries), keyed by webhook and contract. Carries no secrets: headers, tokens and parameters are resolved from configuration when sending. */
export interface DeliveryRecord {
  /** Deterministic: derived from eventId and webhookId. */
  readonly deliveryId: string;
  /** The trigger event's id; sent to partners so they can drop duplicates. */
  readonly eventId: string;
  readonly webhookId: number;
  readonly integratorId: null | number;
  readonly contractId: null | number;
  readonly aggregateKey: string;
  readonly kind: string;
  readonly entity: null | string;
  readonly action: string;
  readonly method: string;
  /** The webhook URL masked, for people reading the topic: no user info, every query value and the fragment as ***. Delivery sends to the real URL from the live configuration, with the webhook parameters added as query parameters at send time. */
  readonly url: string;
  readonly committedAt: number;
  readonly routedAt: number;
  /** The JSON body, shaped for the integrator's version, as text. */
  readonly body: string;
}
