import { describe, expect, it } from 'vitest';
import { isEmail, parseEmailList } from '../../../src/util/email.js';

describe('e-mail', () => {
  it('splits the ERP\'s ";"-separated list, trimming and dropping empty entries', () => {
    expect(parseEmailList(' a@x.com; b@y.com ;;')).toEqual(['a@x.com', 'b@y.com']);
    expect(parseEmailList(null)).toEqual([]);
  });

  it('accepts an address and refuses what is not one', () => {
    expect(isEmail('ops@isp.com.br')).toBe(true);
    for (const bad of ['ops', 'ops@isp', 'a b@x.com', 'a@x.com,b@y.com', '@x.com']) expect(isEmail(bad), bad).toBe(false);
  });
});
