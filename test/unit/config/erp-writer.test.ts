import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors/input-error.js';
import { planBinding, planWebhook } from '../../../src/config/erp-writer.js';
import { findPreset } from '../../../src/presets/presets.js';

const preset = (id: string) => findPreset(id)!;

describe('webhooks add (plan)', () => {
  it('fills the ERP form from the preset: URL, method, attempts, headers', () => {
    expect(planWebhook({ preset: preset('watch-brasil'), token: 'abc', emails: 'a@x.com;b@y.com' })).toEqual({
      alias: 'watchbrasil_v2',
      version: 3,
      name: 'Watch Brasil',
      method: 'POST',
      url: 'https://apiweb.watch.tv.br/api/voalle/contrato',
      maxAttempts: 15,
      emails: 'a@x.com;b@y.com',
      headers: [{ name: 'Authorization', value: 'Bearer abc' }],
      triggerKind: 'contract_service_change',
    });
    expect(planWebhook({ preset: preset('campsoft'), token: 'xyz', emails: 'a@x.com' }).headers).toEqual([{ name: 'Token', value: 'xyz' }]);
    expect(planWebhook({ preset: preset('exa'), token: 't', emails: 'a@x.com', url: 'https://exa.example/hook' })).toMatchObject({ maxAttempts: 30, headers: [] });
  });

  it('refuses a preset whose URL comes from the partner without --url', () => {
    expect(() => planWebhook({ preset: preset('skeelo'), token: 't', emails: 'a@x.com' })).toThrow(InputError);
    expect(() => planWebhook({ preset: preset('skeelo'), token: 't', emails: 'a@x.com' })).toThrow(/--url is required/);
  });

  it('names the bad option', () => {
    expect(() => planWebhook({ preset: preset('skeelo'), token: 't', emails: 'a@x.com', url: 'ftp://x' })).toThrow(/--url must be an http\(s\) URL/);
    expect(() => planWebhook({ preset: preset('nxtv'), token: 't', emails: 'not-mail' })).toThrow(/--emails: "not-mail"/);
    expect(() => planWebhook({ preset: preset('nxtv'), token: 't\r\nX: y', emails: 'a@x.com' })).toThrow(/--token/);
    expect(() => planWebhook({ preset: preset('mobiaccess'), token: 't', emails: 'a@x.com', url: 'https://m.example' })).toThrow(/--alias is required/);
    expect(() => planWebhook({ preset: preset('directv-go'), token: 't', emails: 'a@x.com', url: 'https://d.example' })).toThrow(/--idp is required/);
    expect(() => planWebhook({ preset: preset('nxtv'), token: 't', emails: 'a@x.com', method: 'PUT' })).toThrow(/NxTv requires POST/);
  });

  it('checks `presets bind` arguments: a known preset (whatever its case), a non-empty alias', () => {
    expect(planBinding(' provedor-mobi ', 'Mobiaccess')).toMatchObject({ alias: 'provedor-mobi', preset: { id: 'mobiaccess' } });
    expect(() => planBinding('x', 'nope')).toThrow(/<preset>: unknown preset "nope"/);
    expect(() => planBinding('  ', 'mobiaccess')).toThrow(/<integrator alias> must not be empty/);
  });
});
