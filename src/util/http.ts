// Calls to the services beside Kafka (the schema registry's API, Kafka Connect,
// MailDev): small requests with a deadline, the answer read whole. Every
// external call has a timeout.
//
// node:http, not fetch: Node's fetch is its bundled copy of undici, about
// 4 MB of resident memory once loaded, which a mapper or routing process has
// no other use for (its readiness probe asks the registry every few seconds).
// And node:http is required, not imported: an ES import builds the module's
// ES facade, which reads its lazy `WebSocket` export and so loads that same
// undici (Node 24).
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import type * as Https from 'node:https';

const requireBuiltin = createRequire(import.meta.url);
const http = requireBuiltin('node:http') as typeof Http;
const https = requireBuiltin('node:https') as typeof Https;

export interface HttpCall {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** A private CA (PEM) the server's certificate is checked against, for https. */
  readonly ca?: string;
}

/** What came back: the status and the body, read whole. */
export interface HttpAnswer {
  readonly status: number;
  /** 2xx. */
  readonly ok: boolean;
  readonly text: string;
  json(): unknown;
}

/** These services answer with a few KB; past this, the answer is not one of theirs. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** One request; rejects when it is not answered, body included, within `timeoutMs` (an AbortError whose cause is a TimeoutError). */
export function httpCall(url: string, call: HttpCall = {}, timeoutMs = 5000): Promise<HttpAnswer> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const options: Https.RequestOptions = { method: call.method ?? 'GET', headers: { ...call.headers }, signal: AbortSignal.timeout(timeoutMs) };
    if (call.ca !== undefined) options.ca = call.ca;
    const request = client.request(target, options, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) request.destroy(new Error(`${target.origin}${target.pathname}: answer larger than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status, ok: status >= 200 && status < 300, text, json: () => JSON.parse(text) as unknown });
      });
    });
    request.on('error', reject);
    request.end(call.body);
  });
}
