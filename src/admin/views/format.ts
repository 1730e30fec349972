// What the admin page shows people, pure: times in America/Sao_Paulo (the
// ERP's own time zone, whatever the server's), and the ERP's labels for codes
// Reativa keeps (trigger kinds, stages, outcomes), in Brazilian Portuguese.

export const TIME_ZONE = 'America/Sao_Paulo';

const DATE_TIME = new Intl.DateTimeFormat('pt-BR', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

const PARTS = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

/** "25/11/2026 14:03:09" in São Paulo; "-" for what is not a time. */
export function formatTime(at: Date | number | string | null | undefined): string {
  if (at === null || at === undefined) return '-';
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return '-';
  return DATE_TIME.format(date).replace(',', '');
}

/** The UTC offset São Paulo had at an instant, in minutes (-180 since 2019; -120 in the summers before). */
export function saoPauloOffsetMinutes(at: number): number {
  const name = PARTS.formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/**
 * A wall-clock time in São Paulo, as an `<input type="datetime-local">` sends
 * it ("2026-11-25T14:03", seconds optional), to epoch ms; undefined when it is
 * not one. A time the clocks skipped is taken with the offset before the jump.
 */
export function parseSaoPauloLocal(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(wall).getUTCDate() !== day) return undefined;
  // The offset depends on the instant, which depends on the offset: two rounds settle it.
  let at = wall - saoPauloOffsetMinutes(wall) * 60_000;
  at = wall - saoPauloOffsetMinutes(at) * 60_000;
  return at;
}

/** An instant as the value of an `<input type="datetime-local">` in São Paulo ("2026-11-25T14:03"). */
export function toSaoPauloLocal(at: number): string {
  const parts = Object.fromEntries(PARTS.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** "1,2 s", "85 ms". */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toLocaleString('pt-BR', { maximumFractionDigits: 1 })} s`;
}

/** 12345 → "12.345". */
export const formatCount = (n: number): string => n.toLocaleString('pt-BR');

/** "Gatilhos do Webhook" as the ERP's screen names them. */
export const TRIGGER_KIND_LABELS: Record<string, string> = {
  contract_change: 'Alteração de Contrato',
  contract_service_change: 'Alteração de Serviço (Contrato)',
  contract_patrimony_change: 'Alteração de Patrimônio (Contrato)',
  accounting: 'Alteração integração Contábil',
  crm: 'Alteração de Dados do CRM',
  receivables: 'Integração de Recebíveis',
  sap: 'Integração SAP',
  post_due_collection: 'Cobrança Após o Vencimento',
  fiscal_document_status: 'Alteração de status de documento Fiscal',
  tenant_solicitation: 'Alteração de Dados na Solicitação (Tenants)',
  standard: 'Integração Padrão',
};

/** The standard integration's entities and actions, as its Gatilhos step lists them. */
export const ENTITY_LABELS: Record<string, string> = {
  contracts: 'Contratos',
  contract_connections: 'Conexões de Contrato',
  solicitations: 'Solicitações',
  reports: 'Relatos',
  title_issuance: 'Emissão de Títulos',
  title_receipt: 'Recebimento de Títulos',
  electronic_signature: 'Assinatura Eletrônica',
};

export const ACTION_LABELS: Record<string, string> = { insert: 'Inclusão', update: 'Alteração', delete: 'Exclusão' };

/** An attempt's outcome. */
export const OUTCOME_LABELS: Record<string, string> = { success: 'Sucesso', retryable: 'Falha temporária', permanent: 'Falha permanente' };

/** Where a dead letter was given up on. */
export const LETTER_STAGE_LABELS: Record<string, string> = {
  decode: 'Leitura da alteração',
  map: 'Mapeamento',
  route: 'Roteamento',
  deliver: 'Leitura da entrega',
  delivery: 'Entrega',
  partner_rules: 'Regras da integradora',
  unknown: 'Desconhecida',
};

/** The stages whose consumer groups the Atraso page lists. */
export const STAGE_LABELS: Record<string, string> = { mapper: 'Mapeamento', routing: 'Roteamento', delivery: 'Entrega' };

export const ALERT_TYPE_LABELS: Record<string, string> = {
  webhook_invalid: 'Webhook inválido',
  webhook_valid: 'Webhook válido novamente',
  client_data_missing: 'Dados do cliente ausentes',
  delivery_failed: 'Envio não integrado',
};

export const labelOf = (labels: Record<string, string>, code: string | null | undefined): string => (code === null || code === undefined ? '-' : (labels[code] ?? code));
