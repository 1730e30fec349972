// A local partner: an HTTP server that records every request (method, path,
// query, headers, body) and answers with a scripted status. It can also be an
// OAuth 2.0 token endpoint (client credentials): tokenEndpoint().
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

/** An OAuth 2.0 token endpoint (client credentials) the simulator serves. */
export interface TokenEndpoint {
  readonly clientId: string;
  readonly clientSecret: string;
  /** expires_in of each token, in seconds. */
  readonly expiresIn: number;
  /** The tokens issued, in order: `token-<n>`. */
  readonly issued: string[];
}

export class PartnerSimulator {
  private readonly tokenEndpoints = new Map<string, TokenEndpoint>();

  /**
   * Serves `path` as a token endpoint: a form POST with grant_type=client_credentials
   * and these credentials gets a new Bearer token; anything else a 401 invalid_client.
   */
  tokenEndpoint(path: string, credentials: { clientId: string; clientSecret: string; expiresIn?: number }): TokenEndpoint {
    const endpoint: TokenEndpoint = { clientId: credentials.clientId, clientSecret: credentials.clientSecret, expiresIn: credentials.expiresIn ?? 3600, issued: [] };
    this.tokenEndpoints.set(path, endpoint);
    return endpoint;
  }

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
        const endpoint = this.tokenEndpoints.get(url.pathname);
        if (endpoint) {
          const form = new URLSearchParams(body);
          const ok = req.method === 'POST' && form.get('grant_type') === 'client_credentials' && form.get('client_id') === endpoint.clientId && form.get('client_secret') === endpoint.clientSecret;
          res.setHeader('content-type', 'application/json');
          if (!ok) {
            res.statusCode = 401;
            res.end(JSON.stringify({ error: 'invalid_client' }));
            return;
          }
          const token = `token-${endpoint.issued.length + 1}`;
          endpoint.issued.push(token);
          res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: endpoint.expiresIn }));
          return;
        }
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
