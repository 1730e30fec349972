import { describe, expect, it } from 'vitest';
import { buildRequest, standardWebhooksSignature } from '../../../src/delivery/request.js';
import type { ResolvedWebhook } from '../../../src/config/webhooks.js';
import type { Delivery } from '../../../src/contracts/delivery.js';

describe('request', () => {
  const webhook = {
    method: 'POST',
    url: 'https://partner.example/hook?fixed=1',
    headers: [{ name: 'X-Key', value: 'a' }, { name: 'X-Key', value: 'b' }],
    parameters: [{ name: 'empresa', value: '12' }, { name: 'token', value: 'abc' }],
  } as unknown as ResolvedWebhook;
  const delivery = { eventId: 'evt-1', deliveryId: 'del-1', body: { CompanyId: 1 } } as unknown as Delivery;

  it('adds parameters to the query, keeps repeated headers, and carries the event id', () => {
    const req = buildRequest(delivery, webhook);
    expect(req.url).toBe('https://partner.example/hook?fixed=1&empresa=12&token=abc');
    expect(req.headers.filter(([n]) => n === 'X-Key')).toEqual([['X-Key', 'a'], ['X-Key', 'b']]);
    expect(req.headers).toContainEqual(['x-reativa-event-id', 'evt-1']);
    expect(req.headers).toContainEqual(['content-type', 'application/json']);
    expect(req.body).toBe('{"CompanyId":1}');
    expect(req.invalid).toBeUndefined();
  });

  it('keeps OAuth 2.0 client credentials out of the URL: the request carries them for a Bearer token, the other parameters stay in the query', () => {
    const oauth = { tokenUrl: 'https://auth.example/token', form: [['grant_type', 'client_credentials'], ['client_id', 'abc'], ['client_secret', 's3cr3t']] as const, cacheKey: '1|x' };
    const withOAuth = {
      ...webhook,
      parameters: [{ name: 'grant_type', value: 'client_credentials' }, { name: 'client_id', value: 'abc' }, { name: 'client_secret', value: 's3cr3t' }, { name: 'empresa', value: '12' }],
      oauth,
    } as unknown as ResolvedWebhook;
    const req = buildRequest(delivery, withOAuth);
    expect(req.url).toBe('https://partner.example/hook?fixed=1&empresa=12');
    expect(req.path).not.toContain('s3cr3t');
    expect(req.oauth).toBe(oauth);
  });

  it.each(['Host', 'connection', 'Transfer-Encoding', 'content-length', 'Keep-Alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection'])(
    'marks a request whose webhook sets %s, a header only the HTTP client may set, as invalid',
    (name) => {
      const misconfigured = { ...webhook, headers: [{ name: 'X-Key', value: 'a' }, { name, value: 'x' }] } as unknown as ResolvedWebhook;
      expect(buildRequest(delivery, misconfigured).invalid).toBe(`header "${name}" não pode ser configurado no webhook: é definido pelo cliente HTTP`);
    },
  );
});

describe('Standard Webhooks signing', () => {
  it('matches the specification example', () => {
    // Example from the Standard Webhooks specification.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(standardWebhooksSignature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs when the webhook has a signing secret, and never sends the secret', () => {
    const webhook = {
      method: 'POST',
      url: 'https://partner.example/hook',
      headers: [],
      parameters: [{ name: 'reativa_signing_secret', value: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }],
    } as unknown as ResolvedWebhook;
    const req = buildRequest({ eventId: 'evt-1', deliveryId: 'd', body: { A: 1 } } as unknown as Delivery, webhook, 1614265330_000);
    expect(req.url).toBe('https://partner.example/hook');
    const names = req.headers.map(([n]) => n);
    expect(names).toEqual(expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature']));
    expect(req.headers).toContainEqual(['webhook-timestamp', '1614265330']);
    expect(JSON.stringify(req)).not.toContain('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  });
});
