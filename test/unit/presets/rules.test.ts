import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../../src/presets/presets.js';
import { clientIssues, clientProblems, productProblems, serviceActive } from '../../../src/presets/rules.js';

describe('partner rules', () => {
  const preset = (id: string) => PRESETS.find((p) => p.id === id)!;

  it('checks required client fields and their validity', () => {
    const ok = { email: 'maria@example.com', phone: '(11)3333-4444', cellPhone: '(11)99999-0000' };
    expect(clientProblems(preset('exa'), ok)).toEqual([]);
    // The ERP's labels of the cadastro de pessoas: E-mail, Telefone, Celular.
    expect(clientProblems(preset('exa'), { ...ok, email: 'maria@' })).toEqual(['E-mail inválido: maria@']);
    expect(clientProblems(preset('interservice'), { ...ok, cellPhone: null })).toEqual(['cliente sem Celular']);
    expect(clientProblems(preset('cariap'), { email: null, phone: '12', cellPhone: null })).toEqual(['cliente sem E-mail', 'Telefone inválido: 12']);
    expect(clientProblems(preset('campsoft'), { email: null, phone: null, cellPhone: null })).toEqual([]);
  });

  it('"número de telefone" takes the Telefone or the Celular; "celular" only the Celular', () => {
    // Exa: e-mail and "número de telefone".
    expect(clientProblems(preset('exa'), { email: 'a@x.com', phone: null, cellPhone: '(11)99999-0000' })).toEqual([]);
    expect(clientProblems(preset('exa'), { email: 'a@x.com', phone: '(11)3333-4444', cellPhone: null })).toEqual([]);
    expect(clientProblems(preset('exa'), { email: 'a@x.com', phone: null, cellPhone: null })).toEqual(['cliente sem Telefone nem Celular']);
    // Interservice: "telefone celular": a landline is not enough.
    expect(clientProblems(preset('interservice'), { email: 'a@x.com', phone: '(11)3333-4444', cellPhone: null })).toEqual(['cliente sem Celular']);
    expect(clientIssues(preset('interservice'), { email: 'a@x.com', phone: null, cellPhone: '12' })).toEqual([{ field: 'cell_phone', missing: false, message: 'Celular inválido: 12' }]);
  });

  it('DIRECTV GO and Super Conhecimento products must be marked "Utiliza Streaming"', () => {
    const products = [
      { id: 1, title: 'HBO', usesStreaming: false },
      { id: 2, title: 'Básico', usesStreaming: true },
      { id: 3, title: null, usesStreaming: undefined },
    ];
    expect(productProblems(preset('directv-go'), products)).toEqual(['Produto/Serviço "HBO" (código 1) sem "Utiliza Streaming" = Sim']);
    expect(productProblems(preset('super-conhecimento'), [products[0]!, products[0]!])).toHaveLength(1);
    expect(productProblems(preset('watch-brasil'), products)).toEqual([]);
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
