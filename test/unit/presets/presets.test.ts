import { describe, expect, it } from 'vitest';
import { DIRECTV_BASIC_PACKAGE, DIRECTV_URNS, findPreset, PRESETS, presetFor, presetForAlias } from '../../../src/presets/presets.js';

describe('presets', () => {
  it('has the 12 partners of the source document', () => {
    expect(PRESETS.map((p) => p.partner)).toEqual([
      'Campsoft', 'Cariap', 'DIRECTV GO', 'Exa', 'ITTV', 'Mobiaccess', 'Interservice', 'NxTv', 'QR Sorteios', 'Skeelo', 'Super Conhecimento', 'Watch Brasil',
    ]);
    expect(presetForAlias('WATCHBRASIL_V2')?.id).toBe('watch-brasil');
  });

  it('are found by id, and by alias whatever its case', () => {
    expect(findPreset('skeelo')?.alias).toBe('skeelo');
    expect(findPreset('nope')).toBeUndefined();
    expect(presetForAlias('SuperConhecimento')?.id).toBe('super-conhecimento');
    expect(presetForAlias('unknown-alias')).toBeUndefined();
  });

  it('follow a binding first (Mobiaccess gives the alias), else the alias; a binding to an unknown preset finds none', () => {
    expect(presetFor('provedor-x-mobi', 'mobiaccess')?.id).toBe('mobiaccess');
    expect(presetFor('provedor-x-mobi', null)).toBeUndefined();
    expect(presetFor('Skeelo', null)?.id).toBe('skeelo');
    expect(presetFor('skeelo', 'exa')?.id).toBe('exa');
    expect(presetFor('skeelo', 'nope')).toBeUndefined();
  });

  it('know the DIRECTV GO URNs, the basic package among them', () => {
    expect(Object.keys(DIRECTV_URNS)).toContain(DIRECTV_BASIC_PACKAGE);
    expect(DIRECTV_BASIC_PACKAGE).toBe('urn:tve:dtvgobr');
  });
});
