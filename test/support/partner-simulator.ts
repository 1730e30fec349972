// A local partner: an HTTP server that records every request (method, path,
// query, headers, body) and answers with a scripted status.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: string;
  readonly json: unknown;
  readonly receivedAt: number;
}

/** Scripted "statuses" that are not HTTP statuses. */
export const HANG = 0;
export const DROP = -1;

export class PartnerSimulator {
  readonly requests: ReceivedRequest[] = [];
  private server: http.Server | undefined;
  /** Status to answer per path; 200 by default. */
  readonly statuses = new Map<string, number>();
  private readonly scripts = new Map<string, (request: ReceivedRequest) => number>();

  /** Answers requests to `path` with the status the function returns. */
  script(path: string, answer: (request: ReceivedRequest) => number): void {
    this.scripts.set(path, answer);
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://simulator');
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = body ? JSON.parse(body) : null;
        } catch {
          json = null;
        }
        const received: ReceivedRequest = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, rawHeaders: req.rawHeaders, body, json, receivedAt: Date.now() };
        this.requests.push(received);
        const status = this.scripts.get(url.pathname)?.(received) ?? this.statuses.get(url.pathname) ?? 200;
        // 0: hang, never answer (the client's response timeout decides).
        if (status === HANG) return;
        // -1: drop the connection without an answer.
        if (status === DROP) {
          req.socket.destroy();
          return;
        }
        res.statusCode = status;
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
