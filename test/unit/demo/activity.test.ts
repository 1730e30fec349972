import { describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS, demoClient, describeAction, DemoWorld, FIRST_CONTRACTS, nextAction, seededRandom, type DemoAction } from '../../../src/demo/activity.js';

/** Plays `steps` actions, as the ERP would have applied them (ids handed out in order). */
function play(seed: number, steps: number): { world: DemoWorld; actions: DemoAction[] } {
  const world = new DemoWorld();
  const random = seededRandom(seed);
  const actions: DemoAction[] = [];
  let ids = 100;
  for (let i = 0; i < steps; i++) {
    const action = nextAction(world, random);
    actions.push(action);
    if (action.kind === 'new_contract') world.record(action, { contractId: (ids += 1) });
    else if (action.kind === 'billing_run') world.record(action, { titles: action.contractIds.map((contractId) => ({ contractId, titleId: (ids += 1) })) });
    else world.record(action, {});
  }
  return { world, actions };
}

describe('the demo ERP activity', () => {
  it('starts with a few new contracts, each with internet and mostly a streaming service', () => {
    const { actions } = play(1, FIRST_CONTRACTS);
    for (const a of actions) {
      expect(a.kind).toBe('new_contract');
      if (a.kind === 'new_contract') {
        expect(a.products[0]).toBe('internet');
        expect(a.number).toMatch(/^DEMO-\d{6}$/);
      }
    }
  });

  it('draws every kind of activity over a day, each applying to the world as it was', () => {
    const { actions } = play(42, 600);
    const kinds = new Set(actions.map((a) => a.kind));
    expect([...kinds].sort()).toEqual(['add_service', 'billing_run', 'new_contract', 'payment', 'reactivate', 'signature', 'suspend', 'swap_service']);
    // Replayed: a reactivation only of a suspended contract, a payment only of an open title, services never doubled.
    const world = new DemoWorld();
    let ids = 100;
    for (const a of actions) {
      if (a.kind === 'reactivate') expect(world.contracts.get(a.contractId)?.status).toBe('suspended');
      if (a.kind === 'suspend') expect(world.contracts.get(a.contractId)?.status).toBe('normal');
      if (a.kind === 'payment') expect([...world.contracts.values()].some((c) => c.openTitles.includes(a.titleId))).toBe(true);
      if (a.kind === 'add_service') {
        expect(world.contracts.get(a.contractId)?.products).not.toContain(a.product);
        if (a.product === 'directv-hbo') expect(world.contracts.get(a.contractId)?.products).toContain('directv-basic');
      }
      if (a.kind === 'swap_service') expect(world.contracts.get(a.contractId)?.products).toContain(a.remove);
      if (a.kind === 'new_contract') world.record(a, { contractId: (ids += 1) });
      else if (a.kind === 'billing_run') world.record(a, { titles: a.contractIds.map((contractId) => ({ contractId, titleId: (ids += 1) })) });
      else world.record(a, {});
    }
    for (const c of world.contracts.values()) expect(new Set(c.products).size).toBe(c.products.length);
  });

  it('is the same day for the same seed', () => {
    expect(play(9, 50).actions).toEqual(play(9, 50).actions);
    expect(play(9, 50).actions).not.toEqual(play(10, 50).actions);
  });

  it('makes clients with the data partners require, at example.com', () => {
    const client = demoClient(seededRandom(3), 12);
    expect(client.email).toMatch(/^[a-z]+\.[a-z]+\.12@example\.com$/);
    expect(client.cellPhone).toMatch(/^\(11\)9\d{4}-\d{4}$/);
    expect(client.txId).toMatch(/^\d{3}\.\d{3}\.\d{3}-\d{2}$/);
  });

  it('says what the ERP did in one line', () => {
    expect(describeAction({ kind: 'swap_service', contractId: 5, remove: 'watch', add: 'directv-basic' })).toBe('ERP: contract 5 swaps watch for directv-basic');
    expect(describeAction({ kind: 'billing_run', contractIds: [1, 2, 3] })).toBe('ERP: billing run, 3 title(s) issued');
    expect(DEMO_PRODUCTS).toContain('watch');
  });
});
