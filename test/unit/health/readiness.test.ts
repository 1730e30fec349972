import { describe, expect, it } from 'vitest';
import { Health } from '../../../src/health/health.js';
import { Readiness } from '../../../src/health/readiness.js';
import { createLogger } from '../../../src/log.js';

const logger = createLogger('silent');

describe('readiness', () => {
  it('is ready when every part is and every probe answers', async () => {
    const health = new Health(logger);
    health.setReady('routing consumer', true);
    const readiness = new Readiness(health, [{ name: 'schema registry', setting: 'REATIVA_SCHEMA_REGISTRY_URL', check: async () => 'ok' }]);
    expect(await readiness.report()).toEqual({ ready: true, problems: [], checks: { 'schema registry': 'ok' } });
  });

  it('names the probe, its setting and the first line of the error; outages waited out count too', async () => {
    const health = new Health(logger);
    health.down('reativa database', new Error('too many clients'));
    const readiness = new Readiness(health, [{ name: 'erp database', setting: 'REATIVA_ERP_DATABASE_URL', check: async () => Promise.reject(new Error('password authentication failed\nat line 2')) }]);
    const report = await readiness.report();
    expect(report.ready).toBe(false);
    expect(report.problems[0]).toMatch(/^reativa database: too many clients/);
    expect(report.problems[1]).toBe('erp database not answering (REATIVA_ERP_DATABASE_URL): password authentication failed');
    expect(report.checks).toEqual({ 'erp database': 'password authentication failed' });
  });

  it('gives up on a probe that hangs, and asks again only after its cache time', async () => {
    let asked = 0;
    const readiness = new Readiness(
      new Health(logger),
      [{ name: 'kafka', setting: 'REATIVA_KAFKA_BROKERS', check: () => { asked += 1; return new Promise(() => undefined); } }],
      { timeoutMs: 50, cacheMs: 60_000 },
    );
    const report = await readiness.report();
    expect(report.ready).toBe(false);
    expect(report.checks.kafka).toMatch(/kafka/);
    await readiness.report();
    expect(asked).toBe(1);
  });
});
