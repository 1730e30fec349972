// Codes stored in the ERP and the Portuguese labels its screens show
// (docs/erp-schema.md). Bodies carry both: the code for machines, the
// label for people reading a partner's logs.

export const CONTRACT_STAGE_LABELS: Record<string, string> = {
  pre_contract: 'Pré-Contrato',
  in_approval: 'Em Aprovação',
  approved: 'Aprovado',
  cancelled: 'Cancelado',
};

export const CONTRACT_STATUS_LABELS: Record<string, string> = {
  normal: 'Normal',
  demonstration: 'Demonstração',
  courtesy: 'Cortesia',
  suspended: 'Suspenso',
  financial_block: 'Bloqueio Financeiro',
  cancelled: 'Cancelado',
  ended: 'Encerrado',
};

export const SOLICITATION_STATUS_LABELS: Record<string, string> = {
  open: 'Aberta',
  in_progress: 'Em Andamento',
  closed: 'Encerrada',
  cancelled: 'Cancelada',
};

export const TITLE_STATUS_LABELS: Record<string, string> = {
  open: 'Em Aberto',
  paid: 'Pago',
  cancelled: 'Cancelado',
};

/** Receivable and payable titles: which side of the ledger a title is on. */
export const TITLE_TYPE_LABELS: Record<string, string> = {
  receivable: 'A Receber',
  payable: 'A Pagar',
};

export const FISCAL_DOCUMENT_TYPE_LABELS: Record<string, string> = {
  nfse: 'NFS-e',
  nfe: 'NF-e',
  nfcom: 'NFCom',
};

export const FISCAL_DOCUMENT_STATUS_LABELS: Record<string, string> = {
  pending: 'Pendente',
  authorized: 'Autorizada',
  rejected: 'Rejeitada',
  cancelled: 'Cancelada',
};

export const MOVEMENT_DIRECTION_LABELS: Record<string, string> = {
  credit: 'Crédito',
  debit: 'Débito',
};

export const NATURE_DIRECTION_LABELS: Record<string, string> = {
  revenue: 'Receita',
  expense: 'Despesa',
};

export const CRM_LEAD_STAGE_LABELS: Record<string, string> = {
  new: 'Novo',
  qualified: 'Qualificado',
  converted: 'Convertido',
  lost: 'Perdido',
};

/** Where a receivable title stands for post-due collection (Cobrança Após o Vencimento). */
export const COLLECTION_SITUATION_LABELS: Record<string, string> = {
  overdue: 'Vencido',
  paid: 'Pago',
  cancelled: 'Cancelado',
  deleted: 'Excluído',
  rescheduled: 'Vencimento alterado',
};

/** Electronic signature status (source document, section 8.1). */
export const SIGNATURE_STATUS_LABELS: Record<number, string> = {
  1: 'Em Construção',
  2: 'Aguardando Assinaturas',
  3: 'Concluído',
  4: 'Arquivado',
  5: 'Cancelado',
  6: 'Expirado',
  7: 'Concluído',
  8: 'Pendência',
};

export const ACTION_LABELS = { insert: 'Inclusão', update: 'Alteração', delete: 'Exclusão' } as const;

/** { Code, Label } for a coded value; an unknown code keeps its code as label. */
export function coded(code: unknown, labels: Record<string, string>): { Code: string; Label: string } | null {
  if (code === null || code === undefined) return null;
  const c = String(code);
  return { Code: c, Label: labels[c] ?? c };
}
