// The admin page of a process with no credentials configured: every path the
// process does not otherwise serve answers 503 with a page naming the
// settings that turn it on. Apart from the page itself (src/admin/plugin.ts),
// whose views, forms and readers a process loads only where the page is on:
// they and the ICU data their date formats touch are about 12 MB of resident
// memory, a twelfth of a routing process (docs/benchmarks.md).
import type { HttpPlugin } from '../http/server.js';
import { servePageBasics } from './headers.js';
import { disabledPage } from './views/layout.js';

export function disabledAdminPlugin(namespace: string): HttpPlugin {
  return (app) => {
    servePageBasics(app);
    // Static routes (/metrics, /healthz, /readyz) win over a wildcard in fastify's router.
    app.route({ method: ['GET', 'HEAD', 'POST'], url: '/*', handler: async (_request, reply) => reply.code(503).type('text/html; charset=utf-8').send(disabledPage(namespace).text) });
  };
}
