import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_LIFETIME_MS, oauthCacheKey, readTokenAnswer, splitParameters, TOKEN_RENEW_MARGIN_MS } from '../../../src/delivery/oauth.js';

const NOW = 1_000_000;
const p = (name: string, value: string) => ({ name, value });

describe('OAuth 2.0 client credentials in Parâmetros', () => {
  it('leaves a webhook without grant_type alone: every parameter goes in the query string', () => {
    const parameters = [p('token', 'abc'), p('client_id', 'x')];
    expect(splitParameters(parameters)).toEqual({ oauth: null, query: parameters, problems: [] });
  });

  it("takes the guide's grant_type=client_credentials, client_id and client_secret out of the query string, keeping the others", () => {
    const split = splitParameters([p('grant_type', 'client_credentials'), p('Client_Id', 'provedor'), p('client_secret', 's3cr3t'), p('scope', 'contratos'), p('empresa', '12')]);
    expect(split.problems).toEqual([]);
    expect(split.oauth?.form).toEqual([['grant_type', 'client_credentials'], ['client_id', 'provedor'], ['client_secret', 's3cr3t'], ['scope', 'contratos']]);
    expect(split.query).toEqual([p('empresa', '12')]);
  });

  it('names what is wrong: another grant type, a missing client_id or client_secret', () => {
    expect(splitParameters([p('grant_type', 'password'), p('client_id', 'a'), p('client_secret', 'b')]).problems).toEqual([
      'Parâmetros: grant_type "password" não suportado (OAuth 2.0: apenas client_credentials)',
    ]);
    expect(splitParameters([p('grant_type', 'client_credentials'), p('client_id', 'a')]).problems).toEqual([
      'Parâmetros OAuth 2.0 (grant_type=client_credentials) incompletos: falta client_secret',
    ]);
  });

  it('keys the token cache by webhook and a digest of the credentials, never the secret itself', () => {
    const form = [['grant_type', 'client_credentials'], ['client_id', 'a'], ['client_secret', 's3cr3t']] as const;
    const key = oauthCacheKey(5, 'https://auth.example/token', form);
    expect(key).toMatch(/^5\|[0-9a-f]{32}$/);
    expect(key).not.toContain('s3cr3t');
    expect(oauthCacheKey(5, 'https://auth.example/token', [...form.slice(0, 2), ['client_secret', 'other']])).not.toBe(key);
  });

  it('keeps a token until shortly before it expires', () => {
    expect(readTokenAnswer(200, JSON.stringify({ access_token: 'tok', token_type: 'Bearer', expires_in: 3600 }), NOW)).toEqual({
      ok: true, accessToken: 'tok', usableUntil: NOW + 3600_000 - TOKEN_RENEW_MARGIN_MS,
    });
    // A short-lived token is renewed a tenth of its life early; one without expires_in is kept the default time.
    expect(readTokenAnswer(200, JSON.stringify({ access_token: 'tok', expires_in: '60' }), NOW)).toMatchObject({ usableUntil: NOW + 60_000 - 6000 });
    expect(readTokenAnswer(200, JSON.stringify({ access_token: 'tok' }), NOW)).toMatchObject({ usableUntil: NOW + DEFAULT_TOKEN_LIFETIME_MS - Math.min(TOKEN_RENEW_MARGIN_MS, DEFAULT_TOKEN_LIFETIME_MS / 10) });
  });

  it('classifies a failed token request: the server away is retryable, refused credentials are permanent', () => {
    expect(readTokenAnswer(503, '', NOW)).toMatchObject({ ok: false, retryable: true });
    expect(readTokenAnswer(429, '', NOW)).toMatchObject({ ok: false, retryable: true });
    const refused = readTokenAnswer(401, JSON.stringify({ error: 'invalid_client', error_description: 'bad secret' }), NOW);
    expect(refused).toEqual({
      ok: false, retryable: false,
      reason: 'token OAuth 2.0 recusado pelo servidor de autorização (HTTP 401, invalid_client: bad secret): verifique client_id e client_secret nos Parâmetros do webhook',
    });
    expect(readTokenAnswer(200, 'not json', NOW)).toMatchObject({ ok: false, retryable: false, reason: 'token OAuth 2.0: a resposta do servidor de autorização não traz access_token' });
    expect(readTokenAnswer(200, JSON.stringify({ access_token: 't', token_type: 'mac' }), NOW)).toMatchObject({ ok: false, retryable: false });
  });
});
