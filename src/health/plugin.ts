// /healthz and /readyz, for supervisors and orchestrators (a Kubernetes
// liveness and readiness probe, systemd, a load balancer's health check).
//   /healthz: the process is alive (its event loop answers). Restart it when this fails.
//   /readyz:  it is doing its work: consumers joined, nothing waited out, and
//             Kafka, the registry and its databases answer. 503 with the reasons
//             otherwise; do not restart it for that (outages are waited out).
import type { HttpPlugin } from '../http/server.js';
import type { Readiness } from './readiness.js';

export function healthPlugin(readiness: Readiness): HttpPlugin {
  const started = Date.now();
  return (app) => {
    app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'alive', uptimeSeconds: Math.round((Date.now() - started) / 1000) }));
    app.get('/readyz', async (_request, reply) => {
      const report = await readiness.report();
      return reply
        .code(report.ready ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({ status: report.ready ? 'ready' : 'not ready', problems: report.problems, checks: report.checks });
    });
  };
}
