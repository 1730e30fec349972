// Partner rules, checked before any HTTP call: the client data a partner
// requires, the products it expects registered for streaming, and whether
// each service counts as active at the partner. Reasons are in Portuguese with
// the ERP's labels: operators read them in alerts and e-mails.
import { isEmail } from '../util/email.js';
import type { ActivationRule, Preset, RequiredClientField } from './presets.js';

export interface ClientData {
  readonly email: string | null;
  readonly phone: string | null;
  readonly cellPhone: string | null;
}

/** A Brazilian phone number has at least 10 digits with area code (8 without). */
const digits = (v: string) => v.replace(/\D/g, '').length;
const validPhone = (v: string | null | undefined): boolean => !!v && v.trim() !== '' && digits(v) >= 8;
const present = (v: string | null | undefined): v is string => !!v && v.trim() !== '';

/** The ERP's labels of the client's fields (cadastro de pessoas). */
export const CLIENT_FIELD_LABELS: Record<RequiredClientField, string> = { email: 'E-mail', phone: 'Telefone', cell_phone: 'Celular' };

/** One way the client's data fails a partner's requirement. */
export interface ClientProblem {
  readonly field: RequiredClientField;
  /** True when the field is empty; false when it is filled but not valid. */
  readonly missing: boolean;
  readonly message: string;
}

/**
 * What the client's data lacks for this partner, one entry per required
 * field; empty when fine. "phone" (the guide's "número de telefone") takes
 * the Telefone or the Celular, whichever is valid; "cell_phone" only the Celular.
 */
export function clientIssues(preset: Preset, client: ClientData | null): ClientProblem[] {
  const problems: ClientProblem[] = [];
  for (const field of preset.requiredClientFields) {
    if (field === 'email') {
      const email = client?.email;
      if (!present(email)) problems.push({ field, missing: true, message: 'cliente sem E-mail' });
      else if (!isEmail(email.trim())) problems.push({ field, missing: false, message: `E-mail inválido: ${email}` });
    } else if (field === 'phone') {
      if (validPhone(client?.phone) || validPhone(client?.cellPhone)) continue;
      const given = [client?.phone, client?.cellPhone].filter(present);
      problems.push(
        given.length === 0
          ? { field, missing: true, message: 'cliente sem Telefone nem Celular' }
          : { field, missing: false, message: `Telefone inválido: ${given.join(' / ')}` },
      );
    } else {
      const cell = client?.cellPhone;
      if (!present(cell)) problems.push({ field, missing: true, message: 'cliente sem Celular' });
      else if (!validPhone(cell)) problems.push({ field, missing: false, message: `Celular inválido: ${cell}` });
    }
  }
  return problems;
}

/** The messages of clientIssues. */
export function clientProblems(preset: Preset, client: ClientData | null): string[] {
  return clientIssues(preset, client).map((p) => p.message);
}

/** A catalogue item (Produtos/Serviços) as the partner rules need it. */
export interface ProductState {
  readonly id: number;
  readonly title: string | null;
  /** "Utiliza Streaming"; undefined when the catalogue does not know the product. */
  readonly usesStreaming: boolean | undefined;
}

/**
 * Products the partner expects registered with "Utiliza Streaming" = Sim that
 * are not (DIRECTV GO, Super Conhecimento); empty when fine or when the
 * partner asks nothing of the kind. A product the catalogue does not know is
 * not judged.
 */
export function productProblems(preset: Preset, products: readonly ProductState[]): string[] {
  if (!preset.streamingProducts) return [];
  const seen = new Set<number>();
  const problems: string[] = [];
  for (const p of products) {
    if (seen.has(p.id) || p.usesStreaming !== false) continue;
    seen.add(p.id);
    problems.push(`Produto/Serviço "${p.title ?? p.id}" (código ${p.id}) sem "Utiliza Streaming" = Sim`);
  }
  return problems;
}

export interface ServiceState {
  readonly integrationCode: string | null;
}

/**
 * Whether one service of a contract is active at the partner, by the preset's
 * activation rule. `servicesOnContract`: every service of the contract, of any
 * integrator (DIRECTV GO's basic package belongs to the passive integration).
 */
export function serviceActive(
  rule: ActivationRule,
  contract: { stage: string; status: string } | null,
  service: ServiceState,
  servicesOnContract: readonly ServiceState[],
): boolean {
  switch (rule.kind) {
    case 'always':
      return contract === null || (contract.stage !== 'cancelled' && contract.status !== 'cancelled' && contract.status !== 'ended');
    case 'stage_status':
      return contract !== null && contract.stage === rule.stage && rule.statuses.includes(contract.status);
    case 'requires_basic_package':
      if (contract !== null && (contract.stage === 'cancelled' || contract.status === 'cancelled' || contract.status === 'ended')) return false;
      return service.integrationCode === rule.basicPackage || servicesOnContract.some((s) => s.integrationCode === rule.basicPackage);
  }
}
