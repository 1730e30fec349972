// The Sender over real HTTP, against node:http servers of the test's own: the
// SSRF guard refuses before connecting (literal IPs, numeric tricks, names
// resolved to a refused address, each connection checked again), the attempt
// deadline bounds a partner that trickles or a request that waits for a
// connection, a huge response is read only up to its 2 KB excerpt, and a
// request the HTTP client refuses is permanent.
import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OutgoingRequest } from '../../src/delivery/request.js';
import { RESPONSE_EXCERPT_BYTES, Sender, type SenderOptions } from '../../src/stages/delivery/sender.js';
import { waitFor } from '../../src/util/wait.js';

const BIG = 50 * 1024 * 1024;

/** What the server saw: connections accepted, requests, bytes of the big body written before the client went away. */
const seen = { connections: 0, requests: 0, bigWritten: 0, bigClosed: false, trickleClosed: 0 };
let server: http.Server;
let port = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.requests += 1;
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(BIG) });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        while (seen.bigWritten < BIG && !res.destroyed) {
          seen.bigWritten += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (seen.bigClosed = true));
      pump();
    } else if (req.url === '/trickle') {
      // Headers at once, then one byte of body every 300 ms: never a gap as long as the response timeout.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'), 300);
      res.on('close', () => {
        clearInterval(timer);
        seen.trickleClosed += 1;
      });
    } else if (req.url === '/hang') {
      // Never answers.
    } else {
      res.end('{"ok":true}');
    }
  });
  server.on('connection', () => (seen.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(() => {
  vi.restoreAllMocks();
});

const options = (overrides: Partial<SenderOptions> = {}): SenderOptions => ({
  connectTimeoutMs: 1000,
  responseTimeoutMs: 1000,
  attemptDeadlineMs: 1500,
  allowHosts: [],
  httpsOnly: false,
  ...overrides,
});

/** A request to `origin` (a URL's origin, written any way a webhook might). */
function request(origin: string, path = '/hook', headers: [string, string][] = []): OutgoingRequest {
  const url = new URL(path, origin);
  return { method: 'POST', url: url.toString(), origin: url.origin, path: url.pathname, headers, body: '{}' };
}

async function withSender<T>(o: SenderOptions, use: (sender: Sender) => Promise<T>): Promise<T> {
  const sender = new Sender(o);
  try {
    return await use(sender);
  } finally {
    await sender.close();
  }
}

/** Runs `body` and says how many connections and requests the server saw meanwhile. */
async function counting(body: () => Promise<void>): Promise<{ connections: number; requests: number }> {
  const before = { ...seen };
  await body();
  return { connections: seen.connections - before.connections, requests: seen.requests - before.requests };
}

describe('the address guard', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1 é loopback'],
    ['0x7f000001', '127.0.0.1 é loopback'],
    ['2130706433', '127.0.0.1 é loopback'],
    ['127.1', '127.0.0.1 é loopback'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1 é loopback'],
    ['localhost', 'localhost resolve para'],
  ])('refuses %s before connecting: a permanent failure with the reason, and no connection made', async (host, reason) => {
    const counted = await counting(() =>
      withSender(options(), async (sender) => {
        const { outcome } = await sender.send(request(`http://${host}:${port}`));
        expect(outcome).toMatchObject({ kind: 'permanent', status: null });
        expect(outcome.kind !== 'success' && outcome.error).toMatch(new RegExp(`^endereço recusado: ${reason.replace(/[.[\]]/g, '\\$&')}.*\\(REATIVA_DELIVERY_ALLOW_HOSTS\\)$`));
      }),
    );
    expect(counted).toEqual({ connections: 0, requests: 0 });
  });

  it('refuses [::1] (loopback) too', async () => {
    await withSender(options(), async (sender) => {
      expect((await sender.send(request(`http://[::1]:${port}`))).outcome).toMatchObject({ kind: 'permanent', error: 'endereço recusado: ::1 é loopback (REATIVA_DELIVERY_ALLOW_HOSTS)' });
    });
  });

  it('lets through what the allow list names: an IP, a CIDR, a host name', async () => {
    for (const allowHosts of [['127.0.0.1'], ['127.0.0.0/8'], ['localhost']]) {
      const host = allowHosts[0] === 'localhost' ? 'localhost' : '127.0.0.1';
      await withSender(options({ allowHosts }), async (sender) => {
        expect((await sender.send(request(`http://${host}:${port}`))).outcome, String(allowHosts)).toEqual({ kind: 'success', status: 200 });
      });
    }
    // A host name in the list does not open the IP it resolves to.
    await withSender(options({ allowHosts: ['localhost'] }), async (sender) => {
      expect((await sender.send(request(`http://127.0.0.1:${port}`))).outcome.kind).toBe('permanent');
    });
  });

  it('checks the address of every connection, as resolved then: a name that rebinds to loopback is refused', async () => {
    // A resolver under the attacker's control: a public address first, loopback the next time.
    let lookups = 0;
    const real = dns.lookup.bind(dns) as (...args: unknown[]) => void;
    vi.spyOn(dns, 'lookup').mockImplementation(((hostname: string, lookupOptions: LookupOptions, callback: (e: Error | null, a: string | LookupAddress[], f?: number) => void) => {
      if (hostname !== 'rebind.test') return real(hostname, lookupOptions, callback);
      const address = (lookups += 1) === 1 ? '192.0.2.10' : '127.0.0.1';
      if (lookupOptions.all) callback(null, [{ address, family: 4 }]);
      else callback(null, address, 4);
    }) as unknown as typeof dns.lookup);
    const counted = await counting(() =>
      withSender(options({ connectTimeoutMs: 300 }), async (sender) => {
        // 192.0.2.10 (TEST-NET-1) is allowed, and answers nothing: a retryable network failure.
        expect((await sender.send(request(`http://rebind.test:${port}`))).outcome.kind).toBe('retryable');
        expect((await sender.send(request(`http://rebind.test:${port}`))).outcome).toMatchObject({
          kind: 'permanent',
          error: 'endereço recusado: rebind.test resolve para 127.0.0.1, que é loopback (REATIVA_DELIVERY_ALLOW_HOSTS)',
        });
      }),
    );
    expect(lookups).toBe(2);
    expect(counted).toEqual({ connections: 0, requests: 0 });
  });

  it('connects only to the allowed addresses of a name that resolves to several', async () => {
    let offered: string[] = [];
    const real = dns.lookup.bind(dns) as (...args: unknown[]) => void;
    vi.spyOn(dns, 'lookup').mockImplementation(((hostname: string, lookupOptions: LookupOptions, callback: (e: Error | null, a: string | LookupAddress[], f?: number) => void) => {
      if (hostname !== 'mixed.test') return real(hostname, lookupOptions, callback);
      offered = ['127.0.0.1', '10.0.0.1'];
      callback(null, offered.map((address) => ({ address, family: 4 })));
    }) as unknown as typeof dns.lookup);
    const counted = await counting(() =>
      withSender(options({ allowHosts: ['10.0.0.0/8'], connectTimeoutMs: 300 }), async (sender) => {
        // 127.0.0.1 is dropped; only 10.0.0.1 is tried (and answers nothing here).
        expect((await sender.send(request(`http://mixed.test:${port}`))).outcome.kind).toBe('retryable');
      }),
    );
    expect(offered).toHaveLength(2);
    expect(counted).toEqual({ connections: 0, requests: 0 });
  });

  it('refuses http:// with https only, allowed host or not', async () => {
    const counted = await counting(() =>
      withSender(options({ allowHosts: ['127.0.0.1'], httpsOnly: true }), async (sender) => {
        expect((await sender.send(request(`http://127.0.0.1:${port}`))).outcome).toEqual({
          kind: 'permanent',
          status: null,
          error: 'endereço recusado: http:// não é permitido, só https:// (REATIVA_DELIVERY_HTTPS_ONLY)',
        });
      }),
    );
    expect(counted).toEqual({ connections: 0, requests: 0 });
  });
});

describe('bounded attempts', () => {
  const origin = () => `http://127.0.0.1:${port}`;

  it('cuts a partner that trickles its body at the deadline: a retryable timeout, its connection closed', async () => {
    const closedBefore = seen.trickleClosed;
    await withSender(options({ allowHosts: ['127.0.0.1'] }), async (sender) => {
      const result = await sender.send(request(origin(), '/trickle'));
      expect(result.outcome).toEqual({
        kind: 'retryable',
        status: null,
        error: 'prazo da tentativa esgotado: 1500 ms para conectar, receber a resposta e lê-la (REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS)',
        retryAfterMs: null,
      });
      expect(result.latencyMs).toBeGreaterThanOrEqual(1450);
      expect(result.latencyMs).toBeLessThan(2500);
    });
    await waitFor('the trickling response closed', async () => seen.trickleClosed > closedBefore, { timeoutMs: 2000, intervalMs: 20 });
  });

  it('cuts a partner that trickles its status line at the deadline', async () => {
    // A raw server: one byte of "HTTP/1.1 200 OK…" every 300 ms.
    const raw = net.createServer((socket) => {
      const text = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      let i = 0;
      const timer = setInterval(() => (i < text.length ? socket.write(text.subarray(i, ++i)) : clearInterval(timer)), 300);
      socket.on('close', () => clearInterval(timer));
      socket.on('error', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      await withSender(options({ allowHosts: ['127.0.0.1'], responseTimeoutMs: 1000, attemptDeadlineMs: 1200 }), async (sender) => {
        const rawOrigin = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
        const result = await sender.send(request(rawOrigin));
        expect(result.outcome.kind).toBe('retryable');
        expect(result.latencyMs).toBeLessThan(2000);
      });
    } finally {
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    }
  });

  it('ends requests still waiting for a connection at their deadline', async () => {
    // 40 requests to a partner that never answers: 32 connections, 8 requests queued behind them.
    await withSender(options({ allowHosts: ['127.0.0.1'], responseTimeoutMs: 5000, attemptDeadlineMs: 600 }), async (sender) => {
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: 40 }, () => sender.send(request(origin(), '/hang'))));
      expect(performance.now() - started).toBeLessThan(1500);
      expect(results.every((r) => r.outcome.kind === 'retryable' && /prazo da tentativa esgotado: 600 ms/.test(r.outcome.error))).toBe(true);
    });
  });

  it('reads a 50 MB response only up to the 2 KB excerpt, then closes the connection: the outcome is the status', async () => {
    await withSender(options({ allowHosts: ['127.0.0.1'] }), async (sender) => {
      const result = await sender.send(request(origin(), '/big'));
      expect(result.outcome).toEqual({ kind: 'success', status: 200 });
      expect(result.responseExcerpt).toBe('a'.repeat(RESPONSE_EXCERPT_BYTES));
      expect(result.latencyMs).toBeLessThan(1000);
    });
    await waitFor('the big response closed by the client', async () => seen.bigClosed, { timeoutMs: 2000, intervalMs: 20 });
    // What the server got into socket buffers before the client hung up; far from all of it.
    expect(seen.bigWritten).toBeLessThan(BIG / 2);
  });

  it('keeps the connection of a small response for the next request', async () => {
    const counted = await counting(() =>
      withSender(options({ allowHosts: ['127.0.0.1'] }), async (sender) => {
        for (let i = 0; i < 6; i++) expect((await sender.send(request(origin()))).outcome).toEqual({ kind: 'success', status: 200 });
      }),
    );
    // undici's pool may open a second connection early on; after that they are reused, not closed per response.
    expect(counted.requests).toBe(6);
    expect(counted.connections).toBeLessThanOrEqual(2);
  });
});

describe('requests the HTTP client refuses', () => {
  const origin = () => `http://127.0.0.1:${port}`;
  const INVALID = 'requisição inválida (verifique Url e Headers do webhook)';

  it.each([
    ['a NUL in a value', ['x-token', 'a\u0000b'], `${INVALID}: UND_ERR_INVALID_ARG: invalid x-token header`],
    ['a LF in a value', ['x-token', 'a\nb'], `${INVALID}: UND_ERR_INVALID_ARG: invalid x-token header`],
    ['a CR LF in a value', ['x-token', 'a\r\nx-injected: 1'], `${INVALID}: UND_ERR_INVALID_ARG: invalid x-token header`],
    ['a control character in a value', ['x-token', 'a\u0007b'], `${INVALID}: UND_ERR_INVALID_ARG: invalid x-token header`],
    ['an invalid name', ['x token', 'a'], `${INVALID}: UND_ERR_INVALID_ARG: invalid header key`],
    ['transfer-encoding', ['transfer-encoding', 'chunked'], `${INVALID}: UND_ERR_INVALID_ARG: invalid transfer-encoding header`],
  ] as [string, [string, string], string][])('are permanent, never sent: %s', async (_what, header, error) => {
    const counted = await counting(() =>
      withSender(options({ allowHosts: ['127.0.0.1'] }), async (sender) => {
        expect((await sender.send(request(origin(), '/hook', [header]))).outcome).toEqual({ kind: 'permanent', status: null, error });
      }),
    );
    expect(counted.requests).toBe(0);
  });

  it('are permanent, never sent: a header only the client may set (Host, Connection), as buildRequest marks it', async () => {
    const counted = await counting(() =>
      withSender(options({ allowHosts: ['127.0.0.1'] }), async (sender) => {
        const invalid = 'header "Connection" não pode ser configurado no webhook: é definido pelo cliente HTTP';
        expect((await sender.send({ ...request(origin(), '/hook', [['Connection', 'keep-alive']]), invalid })).outcome).toEqual({ kind: 'permanent', status: null, error: `${INVALID}: ${invalid}` });
      }),
    );
    expect(counted).toEqual({ connections: 0, requests: 0 });
  });
});
