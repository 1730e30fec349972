// OAuth 2.0 client credentials: the token request (I/O) and its cache. A
// webhook whose Parâmetros hold grant_type=client_credentials, a client_id and
// a client_secret (delivery/oauth.ts decides which parameters those are) gets
// an access token from its integrator's URL, posted as a form (the parameters
// as configured; the secret in the body, never in a URL), kept per webhook and
// credentials until shortly before it expires, and sent as Authorization:
// Bearer. The request goes through the delivery Agent, so the address guard
// (SSRF) and its timeouts apply, and has a deadline of its own. Concurrent
// deliveries of one webhook share one token request.
import type { Dispatcher } from 'undici';
import { classifyAttemptError } from '../../delivery/outcome.js';
import { readTokenAnswer, type OAuthClientCredentials } from '../../delivery/oauth.js';

/** What a token endpoint may answer, read at most this far (tokens are small; a huge answer is not one). */
const MAX_TOKEN_ANSWER_BYTES = 64 * 1024;

export type TokenResult =
  | { readonly ok: true; readonly token: string; /** Just asked for (not from the cache): a 401 with it is not worth a second token. */ readonly fresh: boolean }
  | { readonly ok: false; readonly retryable: boolean; readonly reason: string };

export class TokenCache {
  private readonly tokens = new Map<string, { readonly token: string; readonly usableUntil: number }>();
  private readonly asking = new Map<string, Promise<TokenResult>>();
  /** How many token requests were made (the partner simulator's tests count them too). */
  requests = 0;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A usable token for these credentials: the cached one, or a new one from the token endpoint. */
  async token(credentials: OAuthClientCredentials): Promise<TokenResult> {
    const cached = this.tokens.get(credentials.cacheKey);
    if (cached && cached.usableUntil > this.now()) return { ok: true, token: cached.token, fresh: false };
    this.tokens.delete(credentials.cacheKey);
    let asking = this.asking.get(credentials.cacheKey);
    if (!asking) {
      asking = this.ask(credentials).finally(() => this.asking.delete(credentials.cacheKey));
      this.asking.set(credentials.cacheKey, asking);
    }
    return asking;
  }

  /** The partner refused this token (401): the next delivery asks for a new one. */
  invalidate(credentials: OAuthClientCredentials, token: string): void {
    if (this.tokens.get(credentials.cacheKey)?.token === token) this.tokens.delete(credentials.cacheKey);
  }

  private async ask(credentials: OAuthClientCredentials): Promise<TokenResult> {
    this.requests += 1;
    const url = new URL(credentials.tokenUrl);
    const body = new URLSearchParams(credentials.form.map(([name, value]): [string, string] => [name, value])).toString();
    let status: number;
    let text: string;
    try {
      const response = await this.dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': 'Reativa' },
        body,
        // Every external call has a deadline: connecting, the headers and the body, all told.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.statusCode;
      text = await readBounded(response.body);
    } catch (error) {
      // Connection refused, a timeout, the address guard: the outcome classes of an attempt (retryable or permanent).
      const outcome = classifyAttemptError(error);
      const reason = (error as Error).name === 'TimeoutError' ? `sem resposta em ${this.timeoutMs} ms` : outcome.kind === 'success' ? '' : outcome.error;
      return { ok: false, retryable: outcome.kind !== 'permanent', reason: `token OAuth 2.0: a Url do integrador não respondeu (${reason})` };
    }
    const answer = readTokenAnswer(status, text, this.now());
    if (!answer.ok) return answer;
    this.tokens.set(credentials.cacheKey, { token: answer.accessToken, usableUntil: answer.usableUntil });
    return { ok: true, token: answer.accessToken, fresh: true };
  }
}

async function readBounded(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    chunks.push(buffer);
    size += buffer.length;
    if (size > MAX_TOKEN_ANSWER_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_TOKEN_ANSWER_BYTES).toString('utf8');
}
