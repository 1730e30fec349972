// The eleven trigger kinds of the ERP's "Gatilho do Webhook" and the
// integrator versions, as data: each kind's label, how routing matches an
// event to a webhook of it, which entities its Gatilhos rows may name, and
// which versions may use it. KIND_RULES is typed by every TriggerKind, so a
// kind without a rule does not compile: no webhook can be valid for a kind
// that nothing sends. Reasons are in Portuguese with the ERP's labels, since
// operators read them in alerts. Pure.
import { ACCOUNTING_ENTITIES, ACTIONS, STANDARD_ENTITIES, type TriggerKind } from '../contracts/trigger-event.js';
import { DAYS_AFTER_DUE_PARAMETER, parseDaysAfterDue } from '../mapping/collection.js';

/**
 * How routing matches an event to a webhook of its kind: by the webhook's
 * (entity, action) rows, by its integrator (the event's integratorId), or by
 * the kind alone.
 */
export type KindMatch = 'entity_rows' | 'integrator' | 'kind';

export interface KindRule {
  /** The ERP's label (Gatilho do Webhook). */
  readonly label: string;
  readonly match: KindMatch;
  /** The entities its Gatilhos rows may name (match 'entity_rows'); empty for the other kinds. */
  readonly entities: readonly string[];
  /** The integrator versions it works with. */
  readonly versions: readonly number[];
}

/** The versions the ERP offers (Integradores, "Versão"), with its labels. There is no version 7. */
export const VERSION_LABELS: Readonly<Record<number, string>> = {
  1: 'Versão 1',
  2: 'Versão 2 (MVNO)',
  3: 'Versão 3',
  4: 'Versão 4 (STFC)',
  5: 'Versão 5 (SAP S/4Hana - Megawork)',
  6: 'Versão 6 (SAP Business One - G2)',
  8: 'Versão 8 (Cobrança Após o Vencimento)',
};

export const SUPPORTED_VERSIONS: readonly number[] = Object.keys(VERSION_LABELS).map(Number);

/** SVAs and telephony through V-DI or third parties: the versions of every kind but SAP and post-due collection. */
const SVA_VERSIONS = [1, 2, 3, 4];

export const KIND_RULES: Readonly<Record<TriggerKind, KindRule>> = {
  contract_change: { label: 'Alteração de Contrato', match: 'kind', entities: [], versions: SVA_VERSIONS },
  contract_service_change: { label: 'Alteração de Serviço (Contrato)', match: 'integrator', entities: [], versions: SVA_VERSIONS },
  contract_patrimony_change: { label: 'Alteração de Patrimônio (Contrato)', match: 'integrator', entities: [], versions: SVA_VERSIONS },
  accounting: { label: 'Alteração integração Contábil', match: 'entity_rows', entities: ACCOUNTING_ENTITIES, versions: SVA_VERSIONS },
  crm: { label: 'Alteração de Dados do CRM', match: 'kind', entities: [], versions: SVA_VERSIONS },
  // Version 8 is for collection and the financial triggers: receivables too.
  receivables: { label: 'Integração de Recebíveis', match: 'integrator', entities: [], versions: [...SVA_VERSIONS, 8] },
  sap: { label: 'Integração SAP', match: 'entity_rows', entities: ACCOUNTING_ENTITIES, versions: [5, 6] },
  post_due_collection: { label: 'Cobrança Após o Vencimento', match: 'integrator', entities: [], versions: [8] },
  fiscal_document_status: { label: 'Alteração de status de documento Fiscal', match: 'kind', entities: [], versions: SVA_VERSIONS },
  tenant_solicitation: { label: 'Alteração de Dados na Solicitação (Tenants)', match: 'integrator', entities: [], versions: SVA_VERSIONS },
  standard: { label: 'Integração Padrão', match: 'entity_rows', entities: STANDARD_ENTITIES, versions: SVA_VERSIONS },
};

export interface KindProblem {
  readonly code: string;
  readonly message: string;
}

const listed = (labels: readonly string[]) => (labels.length > 1 ? `${labels.slice(0, -1).join(', ')} ou ${labels[labels.length - 1]}` : (labels[0] ?? ''));

/** What is wrong with an integrator's version, for a webhook of `kind` (null: a kind already reported unknown). */
export function versionProblems(kind: TriggerKind | null, integrator: { readonly alias: string; readonly version: number }): KindProblem[] {
  const { alias, version } = integrator;
  if (!VERSION_LABELS[version]) {
    const offered = SUPPORTED_VERSIONS.map((v) => VERSION_LABELS[v]!.replace('Versão ', ''));
    return [{ code: 'version_unknown', message: `Versão ${version} do integrador "${alias}" desconhecida: o ERP oferece as versões ${offered.slice(0, -1).join(', ')} e ${offered[offered.length - 1]}` }];
  }
  if (kind === null || KIND_RULES[kind].versions.includes(version)) return [];
  const rule = KIND_RULES[kind];
  return [
    {
      code: 'version_kind_mismatch',
      message: `Gatilho "${rule.label}" não se aplica ao integrador "${alias}" (${VERSION_LABELS[version]}): use um integrador ${listed(rule.versions.map((v) => VERSION_LABELS[v]!))}`,
    },
  ];
}

/**
 * A webhook's Gatilhos rows for its kind: the "entity:action" pairs routing
 * matches on, and what is wrong with them. Rows of a kind that has none in the
 * ERP's form are ignored.
 */
export function triggerRows(kind: TriggerKind | null, rows: readonly { readonly entity: string; readonly action: string }[]): { triggers: Set<string>; problems: KindProblem[] } {
  const triggers = new Set<string>();
  const problems: KindProblem[] = [];
  if (kind === null || KIND_RULES[kind].match !== 'entity_rows') return { triggers, problems };
  const rule = KIND_RULES[kind];
  for (const t of rows) {
    if (!rule.entities.includes(t.entity) || !(ACTIONS as readonly string[]).includes(t.action)) problems.push({ code: 'bad_trigger_row', message: `Gatilho inválido: ${t.entity}/${t.action}` });
    else triggers.add(`${t.entity}:${t.action}`);
  }
  if (triggers.size === 0) problems.push({ code: 'no_triggers', message: `${rule.label} sem gatilhos (entidade e ação) cadastrados` });
  return { triggers, problems };
}

/**
 * The collector's grace for post_due_collection: the integrator's parameter
 * days_after_due, when read from the ERP, must be a whole number of days. Its
 * value is never quoted: the column holds secrets for other parameters.
 */
export function graceProblems(kind: TriggerKind | null, alias: string, parameters: readonly { readonly name: string; readonly value: string | null | undefined }[]): KindProblem[] {
  if (kind !== 'post_due_collection') return [];
  const bad = parameters.some((p) => p.name === DAYS_AFTER_DUE_PARAMETER && p.value !== undefined && parseDaysAfterDue(p.value) === undefined);
  return bad ? [{ code: 'bad_days_after_due', message: `Parâmetro "${DAYS_AFTER_DUE_PARAMETER}" do integrador "${alias}" deve ser um número inteiro de dias (0 ou mais)` }] : [];
}
