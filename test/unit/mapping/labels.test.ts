import { describe, expect, it } from 'vitest';
import { CONTRACT_STAGE_LABELS, CONTRACT_STATUS_LABELS, coded, SIGNATURE_STATUS_LABELS } from '../../../src/mapping/labels.js';

describe('labels', () => {
  it('pair a code with the label the ERP shows', () => {
    expect(coded('approved', CONTRACT_STAGE_LABELS)).toEqual({ Code: 'approved', Label: 'Aprovado' });
    expect(coded('financial_block', CONTRACT_STATUS_LABELS)).toEqual({ Code: 'financial_block', Label: 'Bloqueio Financeiro' });
  });

  it('keep an unknown code as its own label, and null as null', () => {
    expect(coded('new_status', CONTRACT_STATUS_LABELS)).toEqual({ Code: 'new_status', Label: 'new_status' });
    expect(coded(null, CONTRACT_STATUS_LABELS)).toBeNull();
  });

  it('cover the eight electronic signature statuses of the guide', () => {
    expect(Object.keys(SIGNATURE_STATUS_LABELS)).toHaveLength(8);
    expect(SIGNATURE_STATUS_LABELS[2]).toBe('Aguardando Assinaturas');
  });
});
