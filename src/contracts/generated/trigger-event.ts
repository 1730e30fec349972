// Generated from schemas/trigger-event.avsc by `npm run contracts:generate`: do not edit by hand.
// A unit test (test/unit/contracts/generated.test.ts) fails when this file and the schema differ.

/** The Avro schema, as registered with the schema registry (JSON.stringify it to register). */
export const TRIGGER_EVENT_SCHEMA: object = {
  "type": "record",
  "name": "TriggerEvent",
  "namespace": "io.reativa.triggers",
  "doc": "One ERP change mapped to one trigger kind and action (reativa.triggers), or a receivable title reaching or leaving post-due collection (kind post_due_collection, from the state and the clock). Keyed by aggregate (the contract where there is one).",
  "fields": [
    {
      "name": "eventId",
      "type": "string",
      "doc": "Deterministic: derived from the source position (LSN, table, primary key, op), so reprocessing yields the same id; for post_due_collection, from the title, its due date, the phase and the integrator; for an event redriven from a partner_rules dead letter, from the original id and the change-log position its state was read as of."
    },
    {
      "name": "kind",
      "type": {
        "type": "enum",
        "name": "TriggerKind",
        "symbols": [
          "contract_change",
          "contract_service_change",
          "contract_patrimony_change",
          "accounting",
          "crm",
          "receivables",
          "sap",
          "post_due_collection",
          "fiscal_document_status",
          "tenant_solicitation",
          "standard"
        ]
      }
    },
    {
      "name": "entity",
      "type": [
        "null",
        "string"
      ],
      "default": null,
      "doc": "Standard integration entity (contracts, contract_connections, solicitations, reports, title_issuance, title_receipt, electronic_signature); for accounting and sap, the accounting entity (people, fiscal_documents, titles, paid_titles, financial_movements, financial_natures, ledger_accounts)."
    },
    {
      "name": "action",
      "type": {
        "type": "enum",
        "name": "TriggerAction",
        "symbols": [
          "insert",
          "update",
          "delete"
        ]
      }
    },
    {
      "name": "aggregateKey",
      "type": "string"
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
      "name": "companyId",
      "type": [
        "null",
        "long"
      ],
      "default": null
    },
    {
      "name": "integratorId",
      "type": [
        "null",
        "long"
      ],
      "default": null,
      "doc": "The integrator the event is for: of the service or patrimony (contract_service_change, contract_patrimony_change), of the billing type (receivables), of the solicitation (tenant_solicitation), the collector (post_due_collection)."
    },
    {
      "name": "contractServiceCodes",
      "type": [
        "null",
        {
          "type": "array",
          "items": "string"
        }
      ],
      "default": null,
      "doc": "For contract_service_change: the integration codes (Cód. Integração) of every service on the contract as of the change, whatever their integrator, for partner rules that look at the whole contract (DIRECTV GO's basic package). Routing reads it; partners never see it."
    },
    {
      "name": "source",
      "type": {
        "type": "record",
        "name": "SourcePosition",
        "fields": [
          {
            "name": "table",
            "type": "string"
          },
          {
            "name": "lsn",
            "type": [
              "null",
              "long"
            ],
            "default": null
          },
          {
            "name": "txId",
            "type": [
              "null",
              "long"
            ],
            "default": null
          },
          {
            "name": "primaryKey",
            "type": "string"
          },
          {
            "name": "op",
            "type": "string"
          },
          {
            "name": "committedAt",
            "type": {
              "type": "long",
              "logicalType": "timestamp-millis"
            }
          }
        ]
      }
    },
    {
      "name": "body",
      "type": "string",
      "doc": "The partner-facing JSON body (PascalCase, CompanyId, CompanyTxId, ActionType), as text."
    },
    {
      "name": "changeOffset",
      "type": [
        "null",
        "long"
      ],
      "default": null,
      "doc": "The offset in the change log (<prefix>.changes) of the change this event was mapped from: a partner_rules dead letter keeps it, so `reativa dlq redrive` maps that change again once the client's data is fixed. Null for post_due_collection (the clock, no change) and for events written before it existed."
    },
    {
      "name": "onlyWebhookId",
      "type": [
        "null",
        "long"
      ],
      "default": null,
      "doc": "Set on an event redriven from a partner_rules dead letter: routing sends it to this webhook only (the one that refused it), never to the others the change already reached."
    }
  ]
};

export const TRIGGER_KIND_SYMBOLS = ['contract_change', 'contract_service_change', 'contract_patrimony_change', 'accounting', 'crm', 'receivables', 'sap', 'post_due_collection', 'fiscal_document_status', 'tenant_solicitation', 'standard'] as const;
export type TriggerKind = (typeof TRIGGER_KIND_SYMBOLS)[number];

export const TRIGGER_ACTION_SYMBOLS = ['insert', 'update', 'delete'] as const;
export type TriggerAction = (typeof TRIGGER_ACTION_SYMBOLS)[number];

export interface SourcePositionRecord {
  readonly table: string;
  readonly lsn: null | number;
  readonly txId: null | number;
  readonly primaryKey: string;
  readonly op: string;
  readonly committedAt: number;
}

/** One ERP change mapped to one trigger kind and action (reativa.triggers), or a receivable title reaching or leaving post-due collection (kind post_due_collection, from the state and the clock). Keyed by aggregate (the contract where there is one). */
export interface TriggerEventRecord {
  /** Deterministic: derived from the source position (LSN, table, primary key, op), so reprocessing yields the same id; for post_due_collection, from the title, its due date, the phase and the integrator; for an event redriven from a partner_rules dead letter, from the original id and the change-log position its state was read as of. */
  readonly eventId: string;
  readonly kind: TriggerKind;
  /** Standard integration entity (contracts, contract_connections, solicitations, reports, title_issuance, title_receipt, electronic_signature); for accounting and sap, the accounting entity (people, fiscal_documents, titles, paid_titles, financial_movements, financial_natures, ledger_accounts). */
  readonly entity: null | string;
  readonly action: TriggerAction;
  readonly aggregateKey: string;
  readonly contractId: null | number;
  readonly companyId: null | number;
  /** The integrator the event is for: of the service or patrimony (contract_service_change, contract_patrimony_change), of the billing type (receivables), of the solicitation (tenant_solicitation), the collector (post_due_collection). */
  readonly integratorId: null | number;
  /** For contract_service_change: the integration codes (Cód. Integração) of every service on the contract as of the change, whatever their integrator, for partner rules that look at the whole contract (DIRECTV GO's basic package). Routing reads it; partners never see it. */
  readonly contractServiceCodes: null | string[];
  readonly source: SourcePositionRecord;
  /** The partner-facing JSON body (PascalCase, CompanyId, CompanyTxId, ActionType), as text. */
  readonly body: string;
  /** The offset in the change log (<prefix>.changes) of the change this event was mapped from: a partner_rules dead letter keeps it, so `reativa dlq redrive` maps that change again once the client's data is fixed. Null for post_due_collection (the clock, no change) and for events written before it existed. */
  readonly changeOffset: null | number;
  /** Set on an event redriven from a partner_rules dead letter: routing sends it to this webhook only (the one that refused it), never to the others the change already reached. */
  readonly onlyWebhookId: null | number;
}
