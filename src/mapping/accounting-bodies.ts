// Bodies of the accounting integration (Alteração integração Contábil,
// Granner) and of Integração SAP, which works over the same entities: one body
// per ERP register, the same for both kinds. The guide's conventions hold
// (CompanyId, CompanyTxId, ActionType, PascalCase, coded values with their
// labels); docs/payloads.md documents every field, and a test checks its
// examples against the mapper.
import type { Row } from '../capture/envelope.js';
import type { Action } from '../contracts/trigger-event.js';
import type { Body } from '../contracts/contract.js';
import { clientBody as personGroup, header, num, str } from './bodies.js';
import {
  FISCAL_DOCUMENT_STATUS_LABELS,
  FISCAL_DOCUMENT_TYPE_LABELS,
  MOVEMENT_DIRECTION_LABELS,
  NATURE_DIRECTION_LABELS,
  TITLE_STATUS_LABELS,
  TITLE_TYPE_LABELS,
  coded,
} from './labels.js';
import type { Company, FinancialNature, LedgerAccount, Person } from './records.js';

const natureGroup = (nature: FinancialNature | undefined): Body | null => (nature ? { Id: nature.id, Code: nature.code, Description: nature.description } : null);

/** Pessoas: a row of the people register. */
export function personBody(company: Company | undefined, action: Action, person: Person): Body {
  return { ...header(company, action), Person: personGroup(person) };
}

/** Nota Fiscal; also the body of fiscal_document_status (an NFS-e authorised). */
export function fiscalDocumentBody(company: Company, action: Action, row: Row, client: Person | undefined): Body {
  return {
    ...header(company, action),
    FiscalDocument: {
      Id: num(row.id),
      ContractId: num(row.contract_id),
      DocumentType: coded(row.document_type, FISCAL_DOCUMENT_TYPE_LABELS),
      Number: str(row.number),
      Series: str(row.series),
      IssueDate: str(row.issue_date),
      Amount: str(row.amount),
      Status: coded(row.status, FISCAL_DOCUMENT_STATUS_LABELS),
      AuthorizationProtocol: str(row.authorization_protocol),
      AuthorizedAt: str(row.authorized_at),
      Client: personGroup(client),
    },
  };
}

/**
 * Títulos a Pagar/Receber: one Title group for both sides, told apart by Type.
 * `person` is the client of a receivable title, the supplier of a payable one;
 * only a payable title has a financial nature, only a receivable one a contract.
 */
export function titlesBody(
  company: Company,
  action: Action,
  type: 'receivable' | 'payable',
  row: Row,
  person: Person | undefined,
  nature: FinancialNature | undefined,
): Body {
  return {
    ...header(company, action),
    Title: {
      Id: num(row.id),
      Type: coded(type, TITLE_TYPE_LABELS),
      TitleNumber: str(row.title_number),
      ContractId: num(row.contract_id),
      IssueDate: str(row.issue_date),
      DueDate: str(row.due_date),
      Amount: str(row.amount),
      Status: coded(row.status, TITLE_STATUS_LABELS),
      FinancialNature: natureGroup(nature),
      Person: personGroup(person),
    },
  };
}

/** Títulos Pagos/Recebidos: a payment of a title payable or a receipt of a title receivable. */
export function paidTitlesBody(
  company: Company,
  action: Action,
  type: 'receivable' | 'payable',
  row: Row,
  title: { readonly id: number; readonly titleNumber: string; readonly contractId: number | null },
): Body {
  return {
    ...header(company, action),
    Payment: {
      Id: num(row.id),
      Type: coded(type, TITLE_TYPE_LABELS),
      TitleId: title.id,
      TitleNumber: title.titleNumber,
      ContractId: title.contractId,
      PaymentDate: str(type === 'receivable' ? row.receipt_date : row.payment_date),
      AmountPaid: str(row.amount_paid),
      PaymentMethod: str(row.payment_method),
    },
  };
}

/** Movimentação Financeira. */
export function movementBody(company: Company, action: Action, row: Row, nature: FinancialNature | undefined): Body {
  return {
    ...header(company, action),
    FinancialMovement: {
      Id: num(row.id),
      BankAccount: str(row.bank_account),
      MovementDate: str(row.movement_date),
      Direction: coded(row.direction, MOVEMENT_DIRECTION_LABELS),
      Amount: str(row.amount),
      FinancialNature: natureGroup(nature),
      Description: str(row.description),
    },
  };
}

/** Naturezas Financeiras. */
export function natureBody(company: Company | undefined, action: Action, row: Row): Body {
  return {
    ...header(company, action),
    FinancialNature: { Id: num(row.id), Code: str(row.code), Description: str(row.description), Direction: coded(row.direction, NATURE_DIRECTION_LABELS) },
  };
}

/** Contas Contábeis: an account of the chart, with its parent's code. */
export function ledgerAccountBody(company: Company | undefined, action: Action, row: Row, parent: LedgerAccount | undefined): Body {
  return {
    ...header(company, action),
    LedgerAccount: { Id: num(row.id), Code: str(row.code), Description: str(row.description), ParentId: num(row.parent_id), ParentCode: parent?.code ?? null },
  };
}
