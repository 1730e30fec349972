// PostgreSQL connections that survive the server going away. node-postgres
// emits 'error' on an idle pooled client that the server terminated (a
// restart, a failover, an idle timeout); with no listener, Node turns that
// into an uncaught exception and the process dies. Every pool and client
// Reativa opens comes from here, with a listener: the broken client is
// dropped, the next query gets a fresh connection, and the query in flight,
// if any, fails with a retryable error that its caller waits out.
import pg from 'pg';
import type { Logger } from '../log.js';

export interface PoolOptions {
  /** Named in the log line when an idle connection breaks. */
  readonly name: string;
  readonly max?: number;
  readonly statementTimeoutMs?: number;
}

export function createPool(connectionString: string, logger: Logger, options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 8,
    connectionTimeoutMillis: 5000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    // TCP keepalive: a server that vanished without a FIN is found out, not waited on forever.
    keepAlive: true,
  });
  let lastWarned = 0;
  pool.on('error', (error) => {
    // Once a minute at most: a restart breaks every idle connection at once.
    if (Date.now() - lastWarned < 60_000) return;
    lastWarned = Date.now();
    logger.warn({ err: error, pool: options.name }, 'an idle database connection broke; the next query reconnects');
  });
  return pool;
}

/** A single short-lived client with the same protection; connect() and end() are the caller's. */
export function createClient(config: pg.ClientConfig): pg.Client {
  const client = new pg.Client({ connectionTimeoutMillis: 5000, keepAlive: true, ...config });
  // The query in flight (if any) is rejected on its own; the event only needs a listener.
  client.on('error', () => undefined);
  return client;
}
