import { describe, expect, it } from 'vitest';
import { one, ProcessMetrics } from '../../../src/metrics/metrics.js';

describe('process metrics', () => {
  it('reads the counters the stages keep at scrape time, several sources to one name', async () => {
    const metrics = new ProcessMetrics();
    const stats = { mapper: 2, routing: 5 };
    metrics.counter('reativa_dead_letters_total', 'Dead letters.', ['stage'], () => [{ labels: { stage: 'mapper' }, value: stats.mapper }]);
    metrics.counter('reativa_dead_letters_total', 'Dead letters.', ['stage'], () => [{ labels: { stage: 'routing' }, value: stats.routing }]);
    metrics.gauge('reativa_open', 'Open.', [], () => one(1));
    const text = await metrics.exposition();
    expect(text).toContain('# TYPE reativa_dead_letters_total counter');
    expect(text).toContain('reativa_dead_letters_total{stage="mapper"} 2');
    expect(text).toContain('reativa_dead_letters_total{stage="routing"} 5');
    expect(text).toContain('reativa_open 1');
    // prom-client's process metrics come with it.
    expect(text).toContain('process_cpu_user_seconds_total');
    stats.mapper = 4;
    expect(await metrics.exposition()).toContain('reativa_dead_letters_total{stage="mapper"} 4');
  });

  it('answers the scrape when a source fails (its I/O away): that series is left out', async () => {
    const metrics = new ProcessMetrics();
    metrics.gauge('reativa_lag', 'Lag.', ['group'], async () => {
      throw new Error('kafka away');
    });
    metrics.gauge('reativa_ok', 'Ok.', [], () => one(1));
    const text = await metrics.exposition();
    expect(text).toContain('reativa_ok 1');
    expect(text).not.toMatch(/^reativa_lag\{/m);
  });

  it('appends families written whole (the delivery tally)', async () => {
    const metrics = new ProcessMetrics();
    metrics.text(() => '# TYPE reativa_x counter\nreativa_x 9\n');
    expect(await metrics.exposition()).toMatch(/reativa_x 9\n$/);
  });
});
