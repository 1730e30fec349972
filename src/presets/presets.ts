// The 12 partners of the source document (section 9) as data: how the ERP's
// integrator and webhook must be filled in for each, and the partner's own
// rules (required client data, when a service counts as active).
export type HttpMethod = 'POST' | 'PUT' | 'PATCH' | 'GET' | 'DELETE';

/** A header the preset adds; `{token}` is replaced by the token given to the CLI. */
export interface HeaderTemplate {
  readonly name: string;
  readonly value: string;
  readonly description: string;
}

/**
 * Client data a partner requires. The guide's "número de telefone" is any
 * phone number (the client's Telefone or Celular); "telefone celular" is the
 * Celular only.
 */
export type RequiredClientField = 'email' | 'phone' | 'cell_phone';

/** When the partner treats a contract's services as active. */
export type ActivationRule =
  | { readonly kind: 'always' }
  | { readonly kind: 'stage_status'; readonly stage: 'approved'; readonly statuses: readonly string[] }
  | { readonly kind: 'requires_basic_package'; readonly basicPackage: string };

export interface Preset {
  readonly id: string;
  readonly partner: string;
  /** The integrator alias the source document prescribes; null where the partner gives it. */
  readonly alias: string | null;
  readonly version: 1 | 2 | 3 | 4;
  /** Fixed method, or null where the partner says which. */
  readonly method: HttpMethod | null;
  /** Fixed URL, or null where the partner gives it (the CLI then requires --url). */
  readonly url: string | null;
  readonly maxAttempts: number;
  readonly headers: readonly HeaderTemplate[];
  readonly requiredClientFields: readonly RequiredClientField[];
  readonly activation: ActivationRule;
  /**
   * The guide has the partner's products registered with "Utiliza Streaming" =
   * Sim (DIRECTV GO, Super Conhecimento): a delivery carrying one that is not
   * is refused, with the product named, instead of sent.
   */
  readonly streamingProducts: boolean;
  readonly triggerKind: 'contract_service_change';
  readonly notes: readonly string[];
}

const APPROVED_AND = (...statuses: string[]): ActivationRule => ({ kind: 'stage_status', stage: 'approved', statuses });

export const DIRECTV_BASIC_PACKAGE = 'urn:tve:dtvgobr';

export const DIRECTV_URNS: Record<string, string> = {
  'urn:tve:dtvgobr': 'Pacote básico da DirectvGo Brasil',
  'urn:tve:hbo': 'HBO',
  'urn:tve:combatebr': 'Combate',
  'urn:tve:telecinebr': 'Telecine',
  'urn:tve:espnbr': 'ESPN',
  'urn:tve:premierebr': 'Première',
  'urn:tve:conmebolbr': 'CONMEBOL',
};

const preset = (p: Omit<Preset, 'triggerKind' | 'notes' | 'activation' | 'requiredClientFields' | 'headers' | 'streamingProducts'> & Partial<Preset>): Preset => ({
  triggerKind: 'contract_service_change',
  streamingProducts: false,
  notes: [],
  activation: { kind: 'always' },
  requiredClientFields: [],
  headers: [],
  ...p,
});

export const PRESETS: readonly Preset[] = [
  preset({
    id: 'campsoft',
    partner: 'Campsoft',
    alias: 'campSoftv2',
    version: 3,
    method: 'POST',
    url: 'https://api.campsoft.com.br/isp-v1/webhook/voalle.php',
    maxAttempts: 15,
    headers: [{ name: 'Token', value: '{token}', description: 'token informed by Campsoft' }],
  }),
  preset({
    id: 'cariap',
    partner: 'Cariap',
    alias: 'cariap',
    version: 2,
    method: null,
    url: null,
    maxAttempts: 15,
    headers: [{ name: 'txid', value: '{token}', description: 'CNPJ of the head office (matriz)' }],
    requiredClientFields: ['email', 'phone'],
  }),
  preset({
    id: 'directv-go',
    partner: 'DIRECTV GO',
    alias: 'DIRECTV GO',
    version: 2,
    method: null,
    url: null,
    maxAttempts: 15,
    headers: [
      { name: 'x-api-key', value: '{token}', description: 'API key informed by DIRECTV GO' },
      { name: 'idp', value: '{idp}', description: 'identity provider informed by DIRECTV GO' },
    ],
    activation: { kind: 'requires_basic_package', basicPackage: DIRECTV_BASIC_PACKAGE },
    streamingProducts: true,
    notes: [
      'service integration codes are URNs; any package other than urn:tve:dtvgobr needs the basic package on the same contract',
      'the basic package may belong to another integrator (the passive integration): it is looked for among all the services of the contract',
    ],
  }),
  preset({
    id: 'exa',
    partner: 'Exa',
    alias: 'EXA',
    version: 2,
    method: null,
    url: null,
    maxAttempts: 30,
    requiredClientFields: ['email', 'phone'],
    notes: ['e-mail and phone must be valid'],
  }),
  preset({
    id: 'ittv',
    partner: 'ITTV',
    alias: 'ITTV',
    version: 1,
    method: null,
    url: null,
    maxAttempts: 30,
    headers: [{ name: 'Authorization', value: 'Bearer {token}', description: 'token informed by ITTV, after the word Bearer' }],
  }),
  preset({
    id: 'mobiaccess',
    partner: 'Mobiaccess',
    alias: null,
    version: 3,
    method: 'POST',
    url: null,
    maxAttempts: 15,
    headers: [{ name: 'Authorization', value: 'Bearer {token}', description: 'Bearer + token informed by Mobiaccess' }],
    activation: APPROVED_AND('normal'),
    notes: ['the integrator alias is given by Mobiaccess (--alias): webhooks add binds it to this preset (reativa presets bind)'],
  }),
  preset({
    id: 'interservice',
    partner: 'Interservice',
    alias: 'interservice',
    version: 3,
    method: 'POST',
    url: 'https://interservice.company/admin',
    maxAttempts: 15,
    headers: [{ name: 'Authorization', value: '{token}', description: 'company token informed by Interservice' }],
    requiredClientFields: ['email', 'cell_phone'],
    activation: APPROVED_AND('normal'),
    notes: ['Interservice does not handle the statuses Demonstração and Cortesia'],
  }),
  preset({
    id: 'nxtv',
    partner: 'NxTv',
    alias: 'NxTv',
    version: 3,
    method: 'POST',
    url: 'https://osm.ottplay.com.br/api/v1/voalle/update',
    maxAttempts: 15,
    headers: [{ name: 'Authorization', value: '{token}', description: 'company token informed by NxTv' }],
    requiredClientFields: ['email'],
    activation: APPROVED_AND('normal'),
    notes: ['e-mail must be valid'],
  }),
  preset({
    id: 'qr-sorteios',
    partner: 'QR Sorteios',
    alias: 'qrsorteios',
    version: 1,
    method: null,
    url: null,
    maxAttempts: 30,
    notes: ['one catalogue service per plan, each with its own integration code', 'the service is added to every active contract of the base'],
  }),
  preset({
    id: 'skeelo',
    partner: 'Skeelo',
    alias: 'skeelo',
    version: 3,
    method: null,
    url: null,
    maxAttempts: 30,
    requiredClientFields: ['email', 'phone'],
  }),
  preset({
    id: 'super-conhecimento',
    partner: 'Super Conhecimento',
    alias: 'SuperConhecimento',
    version: 3,
    method: null,
    url: null,
    maxAttempts: 30,
    requiredClientFields: ['email', 'phone'],
    streamingProducts: true,
    notes: ['e-mail and phone must be valid'],
  }),
  preset({
    id: 'watch-brasil',
    partner: 'Watch Brasil',
    alias: 'watchbrasil_v2',
    version: 3,
    method: 'POST',
    url: 'https://apiweb.watch.tv.br/api/voalle/contrato',
    maxAttempts: 15,
    headers: [{ name: 'Authorization', value: 'Bearer {token}', description: 'token informed by Watch Brasil, after the word Bearer' }],
    requiredClientFields: ['email', 'cell_phone'],
    activation: APPROVED_AND('normal', 'demonstration', 'courtesy'),
  }),
];

export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** The preset an integrator alias names (case-insensitive), if any: the guide's aliases. */
export function presetForAlias(alias: string): Preset | undefined {
  const a = alias.toLowerCase();
  return PRESETS.find((p) => p.alias?.toLowerCase() === a);
}

/**
 * The preset an integrator follows: the one it is bound to (`reativa presets
 * bind`, recorded by `webhooks add --preset`), which wins, else the one its
 * alias names. Mobiaccess, whose alias the partner gives, is only ever found
 * by binding. `bound` names an unknown preset: undefined (the webhook is then
 * invalid, config/webhooks.ts).
 */
export function presetFor(alias: string, bound: string | null | undefined): Preset | undefined {
  if (bound !== null && bound !== undefined) return findPreset(bound);
  return presetForAlias(alias);
}
