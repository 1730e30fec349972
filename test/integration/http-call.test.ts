// httpCall (src/util/http.ts), the client of the services beside Kafka (the
// registry's API, Kafka Connect, MailDev), against real HTTP and HTTPS servers
// on this machine: the answer, the request as sent, the deadline, a private CA.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpCall } from '../../src/util/http.js';

interface Seen {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function handler(seen: Seen[]): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === '/silent') return; // never answers
      if (req.url === '/missing') return void res.writeHead(404).end('no such subject');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"subjects":["a","b"]}');
    });
  };
}

const listen = async (server: http.Server | https.Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

describe('httpCall', () => {
  const seen: Seen[] = [];
  const plain = http.createServer(handler(seen));
  let plainUrl = '';
  let tlsServer: https.Server;
  let tlsUrl = '';
  let ca = '';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reativa-http-call-'));

  beforeAll(async () => {
    plainUrl = `http://127.0.0.1:${await listen(plain)}`;
    // A self-signed certificate for 127.0.0.1: the server's, and the private CA the call is given.
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=reativa-test', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    ca = fs.readFileSync(cert, 'utf8');
    tlsServer = https.createServer({ key: fs.readFileSync(key), cert: ca }, handler(seen));
    tlsUrl = `https://127.0.0.1:${await listen(tlsServer)}`;
  });

  afterAll(async () => {
    plain.closeAllConnections();
    tlsServer.closeAllConnections();
    await Promise.all([new Promise((r) => plain.close(r)), new Promise((r) => tlsServer.close(r))]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the answer whole: status, ok, text and JSON', async () => {
    const ok = await httpCall(`${plainUrl}/subjects`);
    expect([ok.status, ok.ok, ok.json()]).toEqual([200, true, { subjects: ['a', 'b'] }]);
    const missing = await httpCall(`${plainUrl}/missing`);
    expect([missing.status, missing.ok, missing.text]).toEqual([404, false, 'no such subject']);
  });

  it('sends the method, the headers and the body it is given', async () => {
    await httpCall(`${plainUrl}/config`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: 'Basic dTpw' }, body: '{"compatibility":"BACKWARD"}' });
    const put = seen.find((s) => s.url === '/config')!;
    expect([put.method, put.headers['content-type'], put.headers['authorization'], put.body]).toEqual(['PUT', 'application/json', 'Basic dTpw', '{"compatibility":"BACKWARD"}']);
  });

  it('gives up at its deadline on a server that never answers', async () => {
    const started = performance.now();
    const error = await httpCall(`${plainUrl}/silent`, {}, 300).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('checks an https server against the private CA it is given, and refuses it without', async () => {
    expect((await httpCall(`${tlsUrl}/subjects`, { ca })).json()).toEqual({ subjects: ['a', 'b'] });
    const refused = await httpCall(`${tlsUrl}/subjects`).catch((e: unknown) => e as NodeJS.ErrnoException);
    expect((refused as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('fails a connection refused, with its code', async () => {
    const closed = http.createServer();
    const port = await listen(closed);
    await new Promise((r) => closed.close(r));
    const error = (await httpCall(`http://127.0.0.1:${port}/`).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(error.code).toBe('ECONNREFUSED');
  });
});
