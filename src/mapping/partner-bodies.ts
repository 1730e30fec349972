// Bodies of the kinds made for one kind of partner each: CRM leads (Alteração
// de Dados do CRM, Dinamize), receivables (Integração de Recebíveis, Finee and
// 7AZ) and a tenant's solicitations (Alteração de Dados na Solicitação
// (Tenants), OZNeutral). The NFS-e authorised (fiscal_document_status, Contel)
// sends the accounting integration's fiscal document body. The guide's
// conventions hold; docs/payloads.md documents every field.
import type { Row } from '../capture/envelope.js';
import type { Action } from '../contracts/trigger-event.js';
import type { Body } from '../contracts/contract.js';
import { clientBody, header, num, receivableTitleGroup, str } from './bodies.js';
import { CRM_LEAD_STAGE_LABELS, SOLICITATION_STATUS_LABELS, coded } from './labels.js';
import type { BillingType, Company, Person } from './records.js';

/** A CRM lead: its contact data and funnel stage. */
export function leadBody(company: Company, action: Action, row: Row): Body {
  return {
    ...header(company, action),
    Lead: {
      Id: num(row.id),
      Name: str(row.name),
      Email: str(row.email),
      Phone: str(row.phone),
      CellPhone: str(row.cell_phone),
      Stage: coded(row.stage, CRM_LEAD_STAGE_LABELS),
      Source: str(row.source),
      UpdatedAt: str(row.updated_at),
    },
  };
}

/** A title issued with a billing type whose receivables go to an integrator automatically. */
export function receivableBody(company: Company, action: Action, row: Row, client: Person | undefined, billingType: BillingType): Body {
  return {
    ...header(company, action),
    Title: receivableTitleGroup(row, client, { BillingType: { Id: billingType.id, Title: billingType.title } }),
  };
}

/** A tenant's solicitation whose status moved on: the new status, and the one it left (null for a new row). */
export function tenantSolicitationBody(company: Company, action: Action, row: Row, previous: Row | null, client: Person | undefined): Body {
  return {
    ...header(company, action),
    Solicitation: {
      Id: num(row.id),
      ContractId: num(row.contract_id),
      Protocol: str(row.protocol),
      Subject: str(row.subject),
      Status: coded(row.status, SOLICITATION_STATUS_LABELS),
      PreviousStatus: previous ? coded(previous.status, SOLICITATION_STATUS_LABELS) : null,
      IntegratorId: num(row.integrator_id),
      Client: clientBody(client),
    },
  };
}
