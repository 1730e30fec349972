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
