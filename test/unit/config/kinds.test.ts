import { describe, expect, it } from 'vitest';
import { graceProblems, KIND_RULES, SUPPORTED_VERSIONS, triggerRows, versionProblems } from '../../../src/config/kinds.js';
import { TRIGGER_KINDS } from '../../../src/contracts/trigger-event.js';

describe('trigger kinds', () => {
  it('every one of the eleven kinds has a rule, a label and versions', () => {
    expect(Object.keys(KIND_RULES).sort()).toEqual([...TRIGGER_KINDS].sort());
    for (const kind of TRIGGER_KINDS) {
      expect(KIND_RULES[kind].label).not.toBe('');
      expect(KIND_RULES[kind].versions.length).toBeGreaterThan(0);
    }
  });

  it('the versions the ERP offers: 1 to 6 and 8, no 7', () => {
    expect(SUPPORTED_VERSIONS).toEqual([1, 2, 3, 4, 5, 6, 8]);
  });

  it.each([
    ['sap', 5, true],
    ['sap', 6, true],
    ['sap', 3, false],
    ['post_due_collection', 8, true],
    ['post_due_collection', 4, false],
    ['receivables', 8, true],
    ['standard', 8, false],
    ['contract_service_change', 2, true],
    ['accounting', 5, false],
  ] as const)('%s with version %i: %s', (kind, version, fits) => {
    const problems = versionProblems(kind, { alias: 'x', version });
    expect(problems.length === 0).toBe(fits);
    if (!fits) expect(problems[0]!.code).toBe('version_kind_mismatch');
  });

  it('an unknown version is refused whatever the kind, naming what the ERP offers', () => {
    const [problem] = versionProblems('crm', { alias: 'x', version: 7 });
    expect(problem).toEqual({
      code: 'version_unknown',
      message: 'Versão 7 do integrador "x" desconhecida: o ERP oferece as versões 1, 2 (MVNO), 3, 4 (STFC), 5 (SAP S/4Hana - Megawork), 6 (SAP Business One - G2) e 8 (Cobrança Após o Vencimento)',
    });
  });
});

describe('Gatilhos rows', () => {
  it('accounting and sap take the accounting entities', () => {
    expect(triggerRows('sap', [{ entity: 'titles', action: 'insert' }, { entity: 'paid_titles', action: 'delete' }])).toEqual({ triggers: new Set(['titles:insert', 'paid_titles:delete']), problems: [] });
    expect(triggerRows('accounting', [{ entity: 'contracts', action: 'insert' }]).problems.map((p) => p.code)).toEqual(['bad_trigger_row', 'no_triggers']);
  });

  it('standard takes the standard entities and needs at least one', () => {
    expect(triggerRows('standard', [{ entity: 'contracts', action: 'update' }]).triggers).toEqual(new Set(['contracts:update']));
    expect(triggerRows('standard', [])).toEqual({ triggers: new Set(), problems: [{ code: 'no_triggers', message: 'Integração Padrão sem gatilhos (entidade e ação) cadastrados' }] });
  });

  it('rows of kinds without Gatilhos rows are ignored', () => {
    expect(triggerRows('crm', [{ entity: 'contracts', action: 'insert' }])).toEqual({ triggers: new Set(), problems: [] });
  });
});

describe("a collector's grace", () => {
  it('must be whole days, and is never quoted (the column holds secrets)', () => {
    expect(graceProblems('post_due_collection', 'nativeip', [{ name: 'days_after_due', value: '3' }])).toEqual([]);
    expect(graceProblems('post_due_collection', 'nativeip', [{ name: 'days_after_due', value: undefined }])).toEqual([]);
    const [problem] = graceProblems('post_due_collection', 'nativeip', [{ name: 'days_after_due', value: 'abc-secret' }]);
    expect(problem!.code).toBe('bad_days_after_due');
    expect(problem!.message).not.toContain('abc-secret');
    expect(graceProblems('crm', 'x', [{ name: 'days_after_due', value: 'abc' }])).toEqual([]);
  });
});
