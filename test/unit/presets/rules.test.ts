import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../../src/presets/presets.js';
import { clientProblems, serviceActive } from '../../../src/presets/rules.js';

describe('partner rules', () => {
  const preset = (id: string) => PRESETS.find((p) => p.id === id)!;

  it('checks required client fields and their validity', () => {
    const ok = { email: 'maria@example.com', phone: '(11)3333-4444', cellPhone: '(11)99999-0000' };
    expect(clientProblems(preset('exa'), ok)).toEqual([]);
    expect(clientProblems(preset('exa'), { ...ok, email: 'maria@' })).toEqual(['e-mail inválido: maria@']);
    expect(clientProblems(preset('interservice'), { ...ok, cellPhone: null })).toEqual(['cliente sem celular']);
    expect(clientProblems(preset('cariap'), { email: null, phone: '12', cellPhone: null })).toEqual(['cliente sem e-mail', 'telefone inválido: 12']);
    expect(clientProblems(preset('campsoft'), { email: null, phone: null, cellPhone: null })).toEqual([]);
  });

  const contract = (stage: string, status: string) => ({ stage, status });
  it.each([
    ['watch-brasil', 'approved', 'normal', true],
    ['watch-brasil', 'approved', 'demonstration', true],
    ['watch-brasil', 'approved', 'courtesy', true],
    ['watch-brasil', 'in_approval', 'normal', false],
    ['interservice', 'approved', 'courtesy', false],
    ['interservice', 'approved', 'normal', true],
    ['nxtv', 'approved', 'suspended', false],
    ['mobiaccess', 'approved', 'normal', true],
    ['skeelo', 'approved', 'suspended', true],
    ['skeelo', 'cancelled', 'cancelled', false],
  ] as const)('%s: stage %s, status %s → active %s', (id, stage, status, expected) => {
    expect(serviceActive(preset(id).activation, contract(stage, status), { integrationCode: 'X' }, [{ integrationCode: 'X' }])).toBe(expected);
  });

  it('DIRECTV GO: other packages are active only with the basic package on the contract', () => {
    const rule = preset('directv-go').activation;
    const basic = { integrationCode: 'urn:tve:dtvgobr' };
    const hbo = { integrationCode: 'urn:tve:hbo' };
    expect(serviceActive(rule, contract('approved', 'normal'), hbo, [hbo])).toBe(false);
    expect(serviceActive(rule, contract('approved', 'normal'), hbo, [basic, hbo])).toBe(true);
    expect(serviceActive(rule, contract('approved', 'normal'), basic, [basic])).toBe(true);
  });
});
