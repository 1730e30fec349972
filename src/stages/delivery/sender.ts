// Sending with undici: a pooled keep-alive client per origin, connect and
// response timeouts, no redirects. Returns the classified outcome with what
// the attempt log needs (latency, a response excerpt of at most 2 KB).
//
// Requests go through the Agent's dispatch() with a small handler rather than
// request(): no response stream and no async iterator per request, which is
// about a third of the client's CPU per delivery (docs/benchmarks.md).
import { Agent, type Dispatcher } from 'undici';
import { classifyAttemptError, classifyStatus } from '../../delivery/outcome.js';
import type { AttemptResult, Transport } from '../../delivery/ports.js';
import type { OutgoingRequest } from '../../delivery/request.js';

export interface SenderOptions {
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
}

export const RESPONSE_EXCERPT_BYTES = 2048;

export class Sender implements Transport {
  private readonly agent: Agent;

  constructor(options: SenderOptions = { connectTimeoutMs: 5000, responseTimeoutMs: 15_000 }) {
    // One Agent keeps a keep-alive pool per origin; its connect, headers and
    // body timeouts bound every request. The Agent follows no redirects.
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.responseTimeoutMs,
      bodyTimeout: options.responseTimeoutMs,
      keepAliveTimeout: 30_000,
      connections: 32,
    });
  }

  send(req: OutgoingRequest): Promise<AttemptResult> {
    return new Promise((resolve) => {
      const headers: string[] = [];
      for (const [name, value] of req.headers) headers.push(name, value);
      const handler = new ExcerptHandler(resolve);
      try {
        this.agent.dispatch({ origin: req.origin, path: req.path, method: req.method, headers, body: req.body ?? null }, handler);
      } catch (error) {
        // dispatch throws synchronously on invalid options (a bad header value, for one).
        handler.onResponseError(undefined, error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** Keeps the status, Retry-After and at most RESPONSE_EXCERPT_BYTES of the body; the rest is read and dropped. */
class ExcerptHandler implements Dispatcher.DispatchHandler {
  private readonly started = performance.now();
  private status = 0;
  private retryAfter: string | undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;

  constructor(private readonly resolve: (result: AttemptResult) => void) {}

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // Called again after a 1xx; the last call is the final response.
    this.status = statusCode;
    const retryAfter = headers['retry-after'];
    this.retryAfter = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.size < RESPONSE_EXCERPT_BYTES) this.chunks.push(chunk.subarray(0, RESPONSE_EXCERPT_BYTES - this.size));
    this.size += chunk.length;
  }

  onResponseEnd(): void {
    this.settle({
      outcome: classifyStatus(this.status, this.retryAfter),
      latencyMs: performance.now() - this.started,
      responseExcerpt: this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks).toString('utf8'),
    });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.settle({ outcome: classifyAttemptError(error), latencyMs: performance.now() - this.started, responseExcerpt: null });
  }

  private settle(result: AttemptResult): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(result);
  }
}
