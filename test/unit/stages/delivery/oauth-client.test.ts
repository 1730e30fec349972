import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import type { OAuthClientCredentials } from '../../../../src/delivery/oauth.js';
import { TokenCache } from '../../../../src/stages/delivery/oauth-client.js';

const CREDENTIALS: OAuthClientCredentials = {
  tokenUrl: 'https://auth.partner.example/oauth/token',
  form: [['grant_type', 'client_credentials'], ['client_id', 'provedor'], ['client_secret', 's3cr3t']],
  cacheKey: '1|abc',
};

/** A token endpoint answering each request with the next scripted answer, recording what it was asked. */
function endpoint(answers: { status: number; body: unknown }[]) {
  const asked: { path: string; method: string; body: string }[] = [];
  const dispatcher = {
    request: (options: { path: string; method: string; body: string }) => {
      asked.push({ path: options.path, method: options.method, body: options.body });
      const answer = answers[Math.min(asked.length - 1, answers.length - 1)]!;
      const text = JSON.stringify(answer.body);
      return Promise.resolve({
        statusCode: answer.status,
        body: Object.assign((async function* () { yield Buffer.from(text); })(), { destroy: () => undefined }),
      });
    },
  } as unknown as Dispatcher;
  return { dispatcher, asked };
}

describe('OAuth 2.0 token cache', () => {
  it('asks once, posting the credentials as a form (never in the URL), and keeps the token until shortly before it expires', async () => {
    let now = 1_000_000;
    const { dispatcher, asked } = endpoint([
      { status: 200, body: { access_token: 'tok-1', token_type: 'Bearer', expires_in: 3600 } },
      { status: 200, body: { access_token: 'tok-2', token_type: 'Bearer', expires_in: 3600 } },
    ]);
    const cache = new TokenCache(dispatcher, 5000, () => now);
    const [a, b] = await Promise.all([cache.token(CREDENTIALS), cache.token(CREDENTIALS)]);
    expect(a).toEqual({ ok: true, token: 'tok-1', fresh: true });
    expect(b).toEqual({ ok: true, token: 'tok-1', fresh: true });
    expect(asked).toEqual([{ path: '/oauth/token', method: 'POST', body: 'grant_type=client_credentials&client_id=provedor&client_secret=s3cr3t' }]);
    now += 3600_000 - 61_000;
    expect(await cache.token(CREDENTIALS)).toEqual({ ok: true, token: 'tok-1', fresh: false });
    now += 2000;
    expect(await cache.token(CREDENTIALS)).toEqual({ ok: true, token: 'tok-2', fresh: true });
    expect(cache.requests).toBe(2);
  });

  it('forgets a token the partner refused, and caches no failure', async () => {
    const { dispatcher } = endpoint([
      { status: 503, body: {} },
      { status: 200, body: { access_token: 'tok-1' } },
      { status: 200, body: { access_token: 'tok-2' } },
    ]);
    const cache = new TokenCache(dispatcher, 5000, () => 0);
    expect(await cache.token(CREDENTIALS)).toMatchObject({ ok: false, retryable: true });
    expect(await cache.token(CREDENTIALS)).toMatchObject({ ok: true, token: 'tok-1' });
    cache.invalidate(CREDENTIALS, 'tok-1');
    expect(await cache.token(CREDENTIALS)).toMatchObject({ ok: true, token: 'tok-2' });
  });
});
