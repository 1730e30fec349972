import { describe, expect, it } from 'vitest';
import { primaryKeyOf } from '../../../src/mapping/state.js';

describe('primary keys', () => {
  it("are the one column's value, or the columns as canonical JSON", () => {
    expect(primaryKeyOf({ id: 42 })).toBe(42);
    expect(primaryKeyOf({ key: 'use_webhooks' })).toBe('use_webhooks');
    expect(primaryKeyOf({ b: 2, a: 1 })).toBe('{"a":1,"b":2}');
    expect(primaryKeyOf({ id: null })).toBe('{"id":null}');
  });
});
