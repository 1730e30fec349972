// What the demo's ERP does next: the day of an ISP in miniature — new
// contracts signed and approved, streaming services added and swapped,
// suspensions for non-payment and reactivations, a billing run, payments,
// electronic signatures. Pure: the demo keeps what it made (DemoWorld), the
// planner draws the next action from it with the random source it is given
// (seeded in tests), and erp.ts writes the action as the ERP would.

/** The products the demo sells; each maps to a service product row made at setup. */
export const DEMO_PRODUCTS = ['internet', 'watch', 'directv-basic', 'directv-hbo'] as const;
export type DemoProduct = (typeof DEMO_PRODUCTS)[number];

export interface DemoClient {
  readonly name: string;
  readonly txId: string;
  readonly email: string;
  readonly phone: string;
  readonly cellPhone: string;
}

export type DemoAction =
  | { readonly kind: 'new_contract'; readonly number: string; readonly client: DemoClient; readonly products: readonly DemoProduct[] }
  | { readonly kind: 'add_service'; readonly contractId: number; readonly product: DemoProduct }
  | { readonly kind: 'swap_service'; readonly contractId: number; readonly remove: DemoProduct; readonly add: DemoProduct }
  | { readonly kind: 'suspend'; readonly contractId: number }
  | { readonly kind: 'reactivate'; readonly contractId: number }
  | { readonly kind: 'billing_run'; readonly contractIds: readonly number[] }
  | { readonly kind: 'payment'; readonly titleId: number }
  | { readonly kind: 'signature'; readonly contractId: number; readonly signer: string };

export interface DemoContract {
  readonly id: number;
  status: 'normal' | 'suspended';
  readonly products: DemoProduct[];
  readonly openTitles: number[];
}

/** What the demo made so far: its contracts, their services and open titles. */
export class DemoWorld {
  readonly contracts = new Map<number, DemoContract>();
  private sequence = 0;

  nextNumber(): number {
    this.sequence += 1;
    return this.sequence;
  }

  /** Applies what the ERP did (erp.ts reports the ids it got). */
  record(action: DemoAction, made: { contractId?: number; titles?: readonly { contractId: number; titleId: number }[] }): void {
    switch (action.kind) {
      case 'new_contract':
        if (made.contractId !== undefined) this.contracts.set(made.contractId, { id: made.contractId, status: 'normal', products: [...action.products], openTitles: [] });
        return;
      case 'add_service':
        this.contracts.get(action.contractId)?.products.push(action.product);
        return;
      case 'swap_service': {
        const products = this.contracts.get(action.contractId)?.products;
        if (!products) return;
        const at = products.indexOf(action.remove);
        if (at >= 0) products.splice(at, 1, action.add);
        return;
      }
      case 'suspend':
      case 'reactivate': {
        const contract = this.contracts.get(action.contractId);
        if (contract) contract.status = action.kind === 'suspend' ? 'suspended' : 'normal';
        return;
      }
      case 'billing_run':
        for (const t of made.titles ?? []) this.contracts.get(t.contractId)?.openTitles.push(t.titleId);
        return;
      case 'payment':
        for (const contract of this.contracts.values()) {
          const at = contract.openTitles.indexOf(action.titleId);
          if (at >= 0) contract.openTitles.splice(at, 1);
        }
        return;
      case 'signature':
        return;
    }
  }
}

export type Random = () => number;

const FIRST_NAMES = ['Ana', 'Bruno', 'Carla', 'Diego', 'Elaine', 'Fábio', 'Gabriela', 'Heitor', 'Isabela', 'João', 'Larissa', 'Marcos', 'Natália', 'Otávio', 'Patrícia', 'Rafael'];
const LAST_NAMES = ['Silva', 'Souza', 'Oliveira', 'Santos', 'Pereira', 'Lima', 'Carvalho', 'Ferreira', 'Almeida', 'Ribeiro', 'Gomes', 'Martins'];

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.min(items.length - 1, Math.floor(random() * items.length))]!;
const digits = (random: Random, n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');

/** A client with the data the partners require (Watch Brasil: e-mail and cell phone). */
export function demoClient(random: Random, sequence: number): DemoClient {
  const first = pick(random, FIRST_NAMES);
  const last = pick(random, LAST_NAMES);
  const ascii = `${first}.${last}`.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const cpf = digits(random, 11);
  return {
    name: `${first} ${last}`,
    txId: `${cpf.slice(0, 3)}.${cpf.slice(3, 6)}.${cpf.slice(6, 9)}-${cpf.slice(9)}`,
    // example.com: reserved for examples, so the demo never mails anyone.
    email: `${ascii}.${sequence}@example.com`,
    phone: `(11)3${digits(random, 3)}-${digits(random, 4)}`,
    cellPhone: `(11)9${digits(random, 4)}-${digits(random, 4)}`,
  };
}

/** How often each action is drawn, once there are contracts to act on. */
const WEIGHTS: readonly (readonly [DemoAction['kind'], number])[] = [
  ['new_contract', 30],
  ['add_service', 15],
  ['swap_service', 10],
  ['suspend', 8],
  ['reactivate', 8],
  ['billing_run', 3],
  ['payment', 16],
  ['signature', 10],
];

/** Contracts the demo starts with before it draws anything else. */
export const FIRST_CONTRACTS = 3;

/** The next action: one that applies to the world as it is (a payment needs an open title, a reactivation a suspended contract). */
export function nextAction(world: DemoWorld, random: Random): DemoAction {
  const contracts = [...world.contracts.values()];
  if (contracts.length < FIRST_CONTRACTS) return newContract(world, random);
  const total = WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  // A few draws: the first that applies wins; a new contract always does.
  for (let tries = 0; tries < 8; tries++) {
    let roll = random() * total;
    const kind = WEIGHTS.find(([, w]) => (roll -= w) < 0)?.[0] ?? 'new_contract';
    const action = drawn(kind, world, contracts, random);
    if (action) return action;
  }
  return newContract(world, random);
}

function newContract(world: DemoWorld, random: Random): DemoAction {
  const sequence = world.nextNumber();
  // Every contract has internet; most take a streaming service too.
  const products: DemoProduct[] = ['internet'];
  const roll = random();
  if (roll < 0.4) products.push('watch');
  else if (roll < 0.8) products.push('directv-basic');
  return { kind: 'new_contract', number: `DEMO-${String(sequence).padStart(6, '0')}`, client: demoClient(random, sequence), products };
}

function drawn(kind: DemoAction['kind'], world: DemoWorld, contracts: readonly DemoContract[], random: Random): DemoAction | undefined {
  const active = contracts.filter((c) => c.status === 'normal');
  switch (kind) {
    case 'new_contract':
      return newContract(world, random);
    case 'add_service': {
      const candidates = active.filter((c) => DEMO_PRODUCTS.some((p) => !c.products.includes(p)));
      if (candidates.length === 0) return undefined;
      const contract = pick(random, candidates);
      // HBO is sold on top of the DIRECTV GO basic package when the contract has it.
      const missing = DEMO_PRODUCTS.filter((p) => !contract.products.includes(p) && (p !== 'directv-hbo' || contract.products.includes('directv-basic')));
      return missing.length === 0 ? undefined : { kind: 'add_service', contractId: contract.id, product: pick(random, missing) };
    }
    case 'swap_service': {
      // Swapped between the two streaming partners: Watch Brasil for DIRECTV GO, or back.
      const candidates = active.filter((c) => (c.products.includes('watch') && !c.products.includes('directv-basic')) || (c.products.includes('directv-basic') && !c.products.includes('watch') && !c.products.includes('directv-hbo')));
      if (candidates.length === 0) return undefined;
      const contract = pick(random, candidates);
      return contract.products.includes('watch')
        ? { kind: 'swap_service', contractId: contract.id, remove: 'watch', add: 'directv-basic' }
        : { kind: 'swap_service', contractId: contract.id, remove: 'directv-basic', add: 'watch' };
    }
    case 'suspend':
      return active.length > 1 ? { kind: 'suspend', contractId: pick(random, active).id } : undefined;
    case 'reactivate': {
      const suspended = contracts.filter((c) => c.status === 'suspended');
      return suspended.length > 0 ? { kind: 'reactivate', contractId: pick(random, suspended).id } : undefined;
    }
    case 'billing_run':
      return active.length > 0 ? { kind: 'billing_run', contractIds: active.map((c) => c.id) } : undefined;
    case 'payment': {
      const open = contracts.flatMap((c) => c.openTitles);
      return open.length > 0 ? { kind: 'payment', titleId: pick(random, open) } : undefined;
    }
    case 'signature':
      return active.length > 0 ? { kind: 'signature', contractId: pick(random, active).id, signer: `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}` } : undefined;
  }
}

/** One line for the demo's console: what the ERP just did. */
export function describeAction(action: DemoAction): string {
  switch (action.kind) {
    case 'new_contract':
      return `ERP: new contract ${action.number} for ${action.client.name} (${action.products.join(', ')}), approved`;
    case 'add_service':
      return `ERP: contract ${action.contractId} adds ${action.product}`;
    case 'swap_service':
      return `ERP: contract ${action.contractId} swaps ${action.remove} for ${action.add}`;
    case 'suspend':
      return `ERP: contract ${action.contractId} suspended`;
    case 'reactivate':
      return `ERP: contract ${action.contractId} reactivated`;
    case 'billing_run':
      return `ERP: billing run, ${action.contractIds.length} title(s) issued`;
    case 'payment':
      return `ERP: title ${action.titleId} paid`;
    case 'signature':
      return `ERP: contract ${action.contractId} sent for signature to ${action.signer}, signed`;
  }
}

/** A seeded random source (mulberry32): the same seed, the same day at the ISP. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
