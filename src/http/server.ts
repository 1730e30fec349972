// The HTTP server every Reativa process runs (REATIVA_HTTP_HOST, REATIVA_HTTP_PORT):
// /metrics, /healthz, /readyz and the admin page, each a plugin. The server only
// listens and closes; what it answers is the plugins'. Each plugin gets a
// scope of its own (fastify encapsulation), so the admin page's hooks (a
// login, cookies) never stand in front of a supervisor's probe or a scrape.
import { fastify, LogController, type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';

/** One concern of the server: registers its routes (and hooks) on its own scope. */
export type HttpPlugin = (app: FastifyInstance) => Promise<void> | void;

export interface HttpServerOptions {
  readonly host: string;
  /** 0: any free port (the address says which). */
  readonly port: number;
  readonly logger: Logger;
  readonly plugins: readonly HttpPlugin[];
}

export interface HttpServer {
  /** Where it listens, as a base URL: http://127.0.0.1:8090. */
  readonly address: string;
  close(): Promise<void>;
}

/** Server-side limits: a slow or stuck client (a scraper that hangs) cannot hold a connection or a handler for long. */
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 10_000;

export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const log = options.logger.child({ component: 'http' });
  const app = fastify({
    loggerInstance: log,
    // A scrape every few seconds and probes every second would drown the log; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Keep-alive connections (Prometheus keeps one open) must not hold up a shutdown.
    forceCloseConnections: true,
    return503OnClosing: true,
  });
  for (const plugin of options.plugins) {
    await app.register(async (scope) => {
      await plugin(scope);
    });
  }
  await app.listen({ host: options.host, port: options.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const address = `http://${host}:${port}`;
  log.info({ address }, 'http server listening (/metrics, /healthz, /readyz)');
  return {
    address,
    close: async () => {
      await app.close();
    },
  };
}
