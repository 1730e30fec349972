import { describe, expect, it } from 'vitest';
import { Breakers } from '../../../src/delivery/breaker.js';

describe('circuit breaker', () => {
  it('opens after the threshold of retryable failures in a row, per webhook, and a success closes it', () => {
    const b = new Breakers(3);
    expect([b.record(1, 'retryable'), b.record(1, 'retryable')]).toEqual([undefined, undefined]);
    expect(b.isOpen(1)).toBe(false);
    expect(b.record(1, 'retryable')).toBe('opened');
    expect(b.isOpen(1)).toBe(true);
    expect(b.isOpen(2)).toBe(false);
    expect(b.record(1, 'retryable')).toBeUndefined();
    expect(b.record(1, 'success')).toBe('closed');
    expect(b.isOpen(1)).toBe(false);
  });

  it('is not moved by permanent failures, and a success resets the count', () => {
    const b = new Breakers(2);
    b.record(1, 'retryable');
    expect(b.record(1, 'permanent')).toBeUndefined();
    expect(b.record(1, 'success')).toBeUndefined();
    b.record(1, 'retryable');
    expect(b.isOpen(1)).toBe(false);
  });

  it('lists the webhooks whose circuit is open', () => {
    const b = new Breakers(2);
    b.record(1, 'retryable');
    b.record(2, 'retryable');
    b.record(2, 'retryable');
    b.record(3, 'retryable');
    b.record(3, 'retryable');
    expect(b.openWebhooks().sort()).toEqual([2, 3]);
    b.record(3, 'success');
    expect(b.openWebhooks()).toEqual([2]);
  });
});
