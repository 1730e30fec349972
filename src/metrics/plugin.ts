// /metrics: the process's metrics in Prometheus' text format.
import type { HttpPlugin } from '../http/server.js';
import type { ProcessMetrics } from './metrics.js';

export function metricsPlugin(metrics: ProcessMetrics): HttpPlugin {
  return (app) => {
    app.get('/metrics', async (_request, reply) => reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(await metrics.exposition()));
  };
}
