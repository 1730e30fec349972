// The HTTP server with its three operational plugins, on a loopback port:
// /healthz always answers, /readyz says why it is not ready (naming the
// setting, never a secret), /metrics serves the registry, and one plugin's
// hooks (the admin page's login) never stand in front of another's routes.
import { afterEach, describe, expect, it } from 'vitest';
import { Health } from '../../../src/health/health.js';
import { healthPlugin } from '../../../src/health/plugin.js';
import { Readiness } from '../../../src/health/readiness.js';
import { createHttpServer, type HttpServer } from '../../../src/http/server.js';
import { createLogger } from '../../../src/log.js';
import { one, ProcessMetrics } from '../../../src/metrics/metrics.js';
import { metricsPlugin } from '../../../src/metrics/plugin.js';

const logger = createLogger('silent');
let server: HttpServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the HTTP server', () => {
  it('serves /healthz, /readyz and /metrics; a plugin scope keeps its hooks to itself', async () => {
    const health = new Health(logger);
    health.setReady('delivery consumer', false);
    let kafkaUp = false;
    const readiness = new Readiness(
      health,
      [{ name: 'kafka', setting: 'REATIVA_KAFKA_BROKERS', check: async () => { if (!kafkaUp) throw new Error('connect ECONNREFUSED postgres://u:hunter2@db/x'); } }],
      { cacheMs: 0, redact: (text) => text.replaceAll('hunter2', '****') },
    );
    const metrics = new ProcessMetrics();
    let delivered = 3;
    metrics.counter('reativa_test_delivered_total', 'Delivered.', [], () => one(delivered));
    server = await createHttpServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      plugins: [
        metricsPlugin(metrics),
        healthPlugin(readiness),
        (app) => {
          // A login wall, as the admin page has: it must not cover the other plugins' routes.
          app.addHook('onRequest', async (_request, reply) => reply.code(401).send('login'));
          app.get('/', async () => 'admin');
        },
      ],
    });
    expect(server.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const get = (path: string) => fetch(`${server!.address}${path}`);

    const alive = await get('/healthz');
    expect(alive.status).toBe(200);
    expect(await alive.json()).toMatchObject({ status: 'alive' });

    const notReady = await get('/readyz');
    expect(notReady.status).toBe(503);
    const report = (await notReady.json()) as { problems: string[]; checks: Record<string, string> };
    expect(report.problems).toContain('delivery consumer: not ready');
    expect(report.problems.some((p) => p.startsWith('kafka not answering (REATIVA_KAFKA_BROKERS): connect ECONNREFUSED'))).toBe(true);
    expect(JSON.stringify(report)).not.toContain('hunter2');

    kafkaUp = true;
    health.setReady('delivery consumer', true);
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', problems: [], checks: { kafka: 'ok' } });

    const scrape = await get('/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    expect(await scrape.text()).toContain('reativa_test_delivered_total 3');
    delivered = 7;
    expect(await (await get('/metrics')).text()).toContain('reativa_test_delivered_total 7');

    expect((await get('/')).status).toBe(401);
  });

  it('refuses a port that is taken, with the error code the caller reports', async () => {
    server = await createHttpServer({ host: '127.0.0.1', port: 0, logger, plugins: [] });
    const port = Number(new URL(server.address).port);
    await expect(createHttpServer({ host: '127.0.0.1', port, logger, plugins: [] })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
