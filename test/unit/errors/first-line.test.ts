import { describe, expect, it } from 'vitest';
import { firstLine } from '../../../src/errors/first-line.js';

describe('firstLine', () => {
  it("is an error's message up to its first line break, trimmed", () => {
    expect(firstLine(new Error('connect ECONNREFUSED 127.0.0.1:9092\n    at TCPConnectWrap.afterConnect'))).toBe('connect ECONNREFUSED 127.0.0.1:9092');
    expect(firstLine(new Error('  padded  \nmore'))).toBe('padded');
    expect(firstLine(new Error(''))).toBe('');
  });

  it('reads anything thrown that is not an Error as text', () => {
    expect(firstLine('plain\ntext')).toBe('plain');
    expect(firstLine(42)).toBe('42');
    expect(firstLine(undefined)).toBe('undefined');
  });
});
