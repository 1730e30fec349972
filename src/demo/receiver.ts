// The demo's partner: one HTTP server standing for every partner the demo
// configures (a path each: /watch-brasil, /directv-go, /standard). It prints
// a line per request and answers as receipt.ts draws: mostly 200, now and then
// a 503 or a 422. Header values are never printed: they carry the tokens.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVENT_ID_HEADER } from '../delivery/request.js';
import type { Random } from './activity.js';
import { demoStatus, receiptLine, type DemoOdds } from './receipt.js';

/** Bodies larger than this are not read (a partner's own limit; Reativa's bodies are a few kB). */
const MAX_BODY_BYTES = 1024 * 1024;

export interface DemoReceiver {
  /** Base URL: http://127.0.0.1:<port>. */
  readonly url: string;
  /** Requests by answer. */
  readonly counts: { ok: number; retryable: number; refused: number };
  close(): Promise<void>;
}

export async function startReceiver(options: { host: string; port: number; odds: DemoOdds; random: Random; print: (line: string) => void }): Promise<DemoReceiver> {
  const counts = { ok: 0, retryable: 0, refused: 0 };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      const status = size > MAX_BODY_BYTES ? 413 : demoStatus(options.random(), options.odds);
      if (status === 200) counts.ok += 1;
      else if (status === 503) counts.retryable += 1;
      else counts.refused += 1;
      const partner = (request.url ?? '/').split('?')[0]!.replace(/^\/+/, '') || '(root)';
      const eventId = request.headers[EVENT_ID_HEADER];
      options.print(receiptLine(new Date(), partner, request.method ?? '?', typeof eventId === 'string' ? eventId : undefined, body, status));
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(status === 200 ? '{"ok":true}' : status === 503 ? '{"error":"temporariamente indisponível"}' : '{"error":"assinante recusado pela plataforma (demo)"}');
    });
  });
  // A partner that stalls a request must not stall the demo's shutdown.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
