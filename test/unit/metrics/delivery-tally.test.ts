import { describe, expect, it } from 'vitest';
import { DeliveryTally, MAX_WEBHOOKS, renderDeliveryTally } from '../../../src/metrics/delivery-tally.js';

describe('delivery tally', () => {
  it('counts outcomes and attempt latencies per webhook', () => {
    const tally = new DeliveryTally();
    tally.attempted(7, 'success', 3);
    tally.attempted(7, 'success', 40);
    tally.attempted(7, 'retryable', 15_000);
    tally.deadLettered(7);
    tally.deferred(7);
    tally.attempted(2, 'permanent', 5);
    const [two, seven] = tally.snapshot();
    expect(two!.webhook).toBe('2');
    expect(seven!.outcomes).toEqual({ success: 2, retryable: 1, permanent: 0, dead_lettered: 1, deferred: 1 });
    expect(seven!.latency.count).toBe(3);
    expect(seven!.latency.sumSeconds).toBeCloseTo(15.043);
    // Cumulative: 3 ms is under 5 ms; 40 ms under 50 ms; 15 s under 30 s.
    const at = (le: number) => seven!.latency.buckets.find((b) => b.le === le)!.count;
    expect([at(0.005), at(0.025), at(0.05), at(10), at(30), at(Number.POSITIVE_INFINITY)]).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('keeps its series bounded: webhooks past the limit share "other"', () => {
    const tally = new DeliveryTally();
    for (let id = 1; id <= MAX_WEBHOOKS + 3; id++) tally.attempted(id, 'success', 1);
    const rows = tally.snapshot();
    expect(rows).toHaveLength(MAX_WEBHOOKS + 1);
    expect(rows.at(-1)).toMatchObject({ webhook: 'other', outcomes: { success: 3 } });
    // A webhook seen before the limit keeps its own series.
    tally.attempted(1, 'retryable', 1);
    expect(tally.snapshot()[0]!.outcomes.retryable).toBe(1);
  });

  it('writes the Prometheus text format: a counter and a histogram family', () => {
    const tally = new DeliveryTally();
    tally.attempted(3, 'success', 20);
    const text = renderDeliveryTally(tally.snapshot());
    expect(text).toContain('# TYPE reativa_deliveries_total counter');
    expect(text).toContain('reativa_deliveries_total{webhook="3",outcome="success"} 1');
    expect(text).toContain('reativa_deliveries_total{webhook="3",outcome="deferred"} 0');
    expect(text).toContain('# TYPE reativa_delivery_attempt_duration_seconds histogram');
    expect(text).toContain('reativa_delivery_attempt_duration_seconds_bucket{webhook="3",le="0.01"} 0');
    expect(text).toContain('reativa_delivery_attempt_duration_seconds_bucket{webhook="3",le="0.025"} 1');
    expect(text).toContain('reativa_delivery_attempt_duration_seconds_bucket{webhook="3",le="+Inf"} 1');
    expect(text).toContain('reativa_delivery_attempt_duration_seconds_sum{webhook="3"} 0.02');
    expect(text).toContain('reativa_delivery_attempt_duration_seconds_count{webhook="3"} 1');
    expect(text.endsWith('\n')).toBe(true);
    // With nothing counted, the families are declared and empty.
    expect(renderDeliveryTally([]).split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([]);
  });
});
