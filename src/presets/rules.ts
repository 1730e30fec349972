// Partner rules, checked before any HTTP call: the client data a partner
// requires, and whether each service counts as active at the partner.
import { isEmail } from '../util/email.js';
import type { ActivationRule, Preset, RequiredClientField } from './presets.js';

export interface ClientData {
  readonly email: string | null;
  readonly phone: string | null;
  readonly cellPhone: string | null;
}

/** A Brazilian phone number has at least 10 digits with area code (8 without). */
const digits = (v: string) => v.replace(/\D/g, '').length;

const FIELD_LABEL: Record<RequiredClientField, string> = { email: 'e-mail', phone: 'telefone', cell_phone: 'celular' };

/** Problems with the client's data for this partner, in Portuguese for the operator's alert; empty when fine. */
export function clientProblems(preset: Preset, client: ClientData | null): string[] {
  const problems: string[] = [];
  for (const field of preset.requiredClientFields) {
    const value = field === 'email' ? client?.email : field === 'phone' ? client?.phone : client?.cellPhone;
    if (!value || value.trim() === '') problems.push(`cliente sem ${FIELD_LABEL[field]}`);
    else if (field === 'email' && !isEmail(value.trim())) problems.push(`e-mail inválido: ${value}`);
    else if (field !== 'email' && digits(value) < 8) problems.push(`${FIELD_LABEL[field]} inválido: ${value}`);
  }
  return problems;
}

export interface ServiceState {
  readonly integrationCode: string | null;
}

/** Whether one service of a contract is active at the partner, by the preset's activation rule. */
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
