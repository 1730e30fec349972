// Payload shaping: the partner-facing JSON bodies. Conventions from the source
// document: every body has CompanyId, CompanyTxId and ActionType; keys are
// PascalCase. docs/payloads.md documents each body field by field, and a test
// checks every example there against what these functions produce.
import type { Row } from '../capture/envelope.js';
import type { Company, ContractRecord, ContractService, Patrimony, Person, Records, ServiceProduct } from './records.js';
import {
  CONTRACT_STAGE_LABELS,
  CONTRACT_STATUS_LABELS,
  SOLICITATION_STATUS_LABELS,
  TITLE_STATUS_LABELS,
  coded,
} from './labels.js';
import { ACTION_TYPE } from './trigger.js';
import type { Action } from '../contracts/trigger-event.js';
import type { Body } from '../contracts/contract.js';

/**
 * CompanyId, CompanyTxId and ActionType. `company` is undefined only for a row
 * of a register every branch shares (a person, a financial nature, a ledger
 * account without company_id): then the two company fields are null.
 */
export function header(company: Company | undefined, action: Action): Body {
  return { CompanyId: company?.id ?? null, CompanyTxId: company?.txId ?? null, ActionType: ACTION_TYPE[action] };
}

export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));
export const bool = (v: unknown): boolean | null => (v === null || v === undefined ? null : Boolean(v));

export function clientBody(person: Person | undefined): Body | null {
  if (!person) return null;
  return {
    Id: person.id,
    Name: person.name,
    TxId: person.txId,
    Email: person.email,
    Phone: person.phone,
    CellPhone: person.cellPhone,
  };
}

export function serviceBody(service: Pick<ContractService, 'id' | 'serviceProductId'>, product: ServiceProduct | undefined): Body {
  return {
    Id: service.id,
    ServiceProductId: service.serviceProductId,
    Title: product?.title ?? null,
    IntegrationCode: product?.integrationCode ?? null,
    IntegratorId: product?.integratorId ?? null,
  };
}

/** The contract's services at the change's position, optionally only those of one integrator. */
export function servicesOf(contractId: number, records: Records, integratorId?: number): Body[] {
  return records
    .contractServices(contractId)
    .map((s) => ({ s, p: records.serviceProduct(s.serviceProductId) }))
    .filter(({ p }) => integratorId === undefined || p?.integratorId === integratorId)
    .map(({ s, p }) => serviceBody(s, p));
}

/** The Contract group shared by contract and service bodies. */
export function contractBody(contract: ContractRecord, client: Person | undefined, services: Body[]): Body {
  return {
    Id: contract.id,
    ContractNumber: contract.contractNumber,
    Stage: coded(contract.stage, CONTRACT_STAGE_LABELS),
    Status: coded(contract.status, CONTRACT_STATUS_LABELS),
    BillingPeriod: contract.billingPeriod,
    ThirdPartyInformation: { NegotiationId: contract.negotiationId },
    Client: clientBody(client),
    Services: services,
  };
}

export function contractChangeBody(company: Company, action: Action, contract: ContractRecord, client: Person | undefined, services: Body[]): Body {
  return { ...header(company, action), Contract: contractBody(contract, client, services) };
}

export function serviceChangeBody(
  company: Company,
  action: Action,
  contract: ContractRecord,
  client: Person | undefined,
  services: Body[],
  change: { added: Body[]; removed: Body[] },
): Body {
  return {
    ...header(company, action),
    Contract: contractBody(contract, client, services),
    ServiceChange: { Added: change.added, Removed: change.removed },
  };
}

export function patrimonyChangeBody(
  company: Company,
  action: Action,
  contract: ContractRecord,
  client: Person | undefined,
  link: Row,
  patrimony: Patrimony,
): Body {
  return {
    ...header(company, action),
    Contract: contractBody(contract, client, []),
    Patrimony: {
      Id: patrimony.id,
      LinkId: num(link.id),
      SerialNumber: patrimony.serialNumber,
      Description: patrimony.description,
      IntegrationCode: patrimony.integrationCode,
      IntegratorId: patrimony.integratorId,
      LinkedAt: str(link.linked_at),
    },
  };
}

export function connectionBody(company: Company, action: Action, row: Row, contract: ContractRecord | undefined): Body {
  return {
    ...header(company, action),
    ContractConnection: {
      Id: num(row.id),
      ContractId: num(row.contract_id),
      ContractNumber: contract?.contractNumber ?? null,
      Login: str(row.login),
      IpAddress: str(row.ip_address),
      MacAddress: str(row.mac_address),
      Active: bool(row.active),
    },
  };
}

export function solicitationBody(company: Company, action: Action, row: Row, client: Person | undefined): Body {
  return {
    ...header(company, action),
    Solicitation: {
      Id: num(row.id),
      ContractId: num(row.contract_id),
      Protocol: str(row.protocol),
      Subject: str(row.subject),
      Status: coded(row.status, SOLICITATION_STATUS_LABELS),
      Client: clientBody(client),
    },
  };
}

export function reportBody(company: Company, action: Action, row: Row, solicitation: { id: number; protocol: string; contractId: number | null }): Body {
  return {
    ...header(company, action),
    Report: {
      Id: num(row.id),
      SolicitationId: solicitation.id,
      Protocol: solicitation.protocol,
      ContractId: solicitation.contractId,
      Description: str(row.description),
      CreatedAt: str(row.created_at),
    },
  };
}

/** The Title group of a receivable title (standard title_issuance, receivables, post-due collection); `extra` goes before Client. */
export function receivableTitleGroup(row: Row, client: Person | undefined, extra: Body = {}): Body {
  return {
    Id: num(row.id),
    ContractId: num(row.contract_id),
    TitleNumber: str(row.title_number),
    IssueDate: str(row.issue_date),
    DueDate: str(row.due_date),
    Amount: str(row.amount),
    Status: coded(row.status, TITLE_STATUS_LABELS),
    ...extra,
    Client: clientBody(client),
  };
}

export function titleBody(company: Company, action: Action, row: Row, client: Person | undefined): Body {
  return { ...header(company, action), Title: receivableTitleGroup(row, client) };
}

export function receiptBody(company: Company, action: Action, row: Row, title: { id: number; titleNumber: string; contractId: number | null }): Body {
  return {
    ...header(company, action),
    Receipt: {
      Id: num(row.id),
      TitleId: title.id,
      TitleNumber: title.titleNumber,
      ContractId: title.contractId,
      ReceiptDate: str(row.receipt_date),
      AmountPaid: str(row.amount_paid),
      PaymentMethod: str(row.payment_method),
    },
  };
}

/** Electronic signature: exactly the source document's example (section 8.1). */
export function signatureBody(company: Company, action: Action, row: Row, contract: ContractRecord | undefined): Body {
  return {
    ...header(company, action),
    Contract: {
      ThirdPartyInformation: { NegotiationId: contract?.negotiationId ?? null },
      ElectronicSignatures: [
        {
          Code: str(row.code),
          Name: str(row.signer_name),
          Email: str(row.email),
          Phone: str(row.phone),
          Url: str(row.url),
          Status: num(row.status),
        },
      ],
    },
  };
}
