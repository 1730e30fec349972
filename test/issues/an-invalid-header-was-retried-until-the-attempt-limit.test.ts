// A header value undici refuses (a NUL, say) made every attempt fail the same
// way, yet the failure was classed retryable: the delivery burned the partner's
// whole attempt limit over hours. A request the client refuses is a
// configuration fault: permanent, at once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sender } from '../../src/stages/delivery/sender.js';

let server: http.Server;
let origin = '';

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a request the HTTP client refuses', () => {
  it('is a permanent failure, not a retryable one', async () => {
    const sender = new Sender({ connectTimeoutMs: 1000, responseTimeoutMs: 1000, attemptDeadlineMs: 5000, allowHosts: ['127.0.0.1'], httpsOnly: false });
    try {
      const ok = await sender.send({ method: 'POST', url: `${origin}/`, origin, path: '/', headers: [['x-token', 'abc']], body: '{}' });
      expect(ok.outcome.kind).toBe('success');
      const refused = await sender.send({ method: 'POST', url: `${origin}/`, origin, path: '/', headers: [['x-token', 'a\u0000b']], body: '{}' });
      expect(refused.outcome).toMatchObject({ kind: 'permanent', status: null });
    } finally {
      await sender.close();
    }
  });
});
