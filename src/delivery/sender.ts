// Sending with undici: a pooled keep-alive client per origin, connect and
// response timeouts, no redirects. Returns the classified outcome with what
// the attempt log needs (latency, a response excerpt of at most 2 KB).
import { Agent, request } from 'undici';
import { classifyError, classifyStatus, type Outcome } from './outcome.js';
import type { OutgoingRequest } from './request.js';

export interface SenderOptions {
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
}

export interface AttemptResult {
  readonly outcome: Outcome;
  readonly latencyMs: number;
  readonly responseExcerpt: string | null;
}

export const RESPONSE_EXCERPT_BYTES = 2048;

export class Sender {
  private readonly agent: Agent;

  constructor(private readonly options: SenderOptions = { connectTimeoutMs: 5000, responseTimeoutMs: 15_000 }) {
    // One Agent keeps a keep-alive pool per origin.
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.responseTimeoutMs,
      bodyTimeout: options.responseTimeoutMs,
      keepAliveTimeout: 30_000,
      connections: 32,
    });
  }

  async send(req: OutgoingRequest): Promise<AttemptResult> {
    const started = performance.now();
    try {
      const headers: string[] = req.headers.flatMap(([n, v]) => [n, v]);
      const res = await request(req.url, {
        method: req.method as 'POST',
        headers,
        body: req.body,
        // The Agent's connect, headers and body timeouts bound every request.
        dispatcher: this.agent,
      });
      const text = await readExcerpt(res.body);
      const retryAfter = res.headers['retry-after'];
      return {
        outcome: classifyStatus(res.statusCode, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
        latencyMs: performance.now() - started,
        responseExcerpt: text,
      };
    } catch (error) {
      return { outcome: classifyError(error), latencyMs: performance.now() - started, responseExcerpt: null };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** Reads at most RESPONSE_EXCERPT_BYTES and discards the rest, so a huge reply costs nothing. */
async function readExcerpt(body: AsyncIterable<Buffer> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < RESPONSE_EXCERPT_BYTES) chunks.push(chunk.subarray(0, RESPONSE_EXCERPT_BYTES - size));
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}
