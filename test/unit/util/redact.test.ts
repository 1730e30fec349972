import { describe, expect, it } from 'vitest';
import { MASK, redactUrl, redactValues, urlSecrets } from '../../../src/util/redact.js';

describe('redactUrl', () => {
  it.each([
    ['https://partner.example/hook?token=abc123', 'https://partner.example/hook?token=***'],
    ['https://partner.example/hook?token=abc&client_id=x%20y&empty=', 'https://partner.example/hook?token=***&client_id=***&empty='],
    ['https://user:p%40ss@partner.example:8443/a/b?k=v#frag', 'https://partner.example:8443/a/b?k=***#***'],
    ['https://partner.example/hook?s3cr3tTokenWithoutName', 'https://partner.example/hook?***'],
    ['https://partner.example/hook', 'https://partner.example/hook'],
    ['http://127.0.0.1:9999/', 'http://127.0.0.1:9999/'],
    ['foo://partner.example/hook?token=abc', 'foo://partner.example/hook?token=***'],
  ])('%s → %s', (url, masked) => {
    expect(redactUrl(url)).toBe(masked);
  });

  it('is idempotent', () => {
    const once = redactUrl('https://u:p@partner.example/hook?token=abc#x');
    expect(redactUrl(once)).toBe(once);
  });

  it('cuts text that is not a URL at its query, and drops user info', () => {
    expect(redactUrl('not a url?token=abc')).toBe(`not a url?${MASK}`);
    expect(redactUrl('ftp//x?k=v')).toBe(`ftp//x?${MASK}`);
    expect(redactUrl('//user:pw@host/path')).toBe('//host/path');
    expect(redactUrl('')).toBe('');
  });
});

describe('redactValues', () => {
  it('masks every occurrence of each secret, longest first', () => {
    expect(redactValues('invalid token abc123, got abc123', ['abc123'])).toBe('invalid token ***, got ***');
    expect(redactValues('Bearer abc123def', ['abc123', 'abc123def'])).toBe('Bearer ***');
  });

  it('leaves text alone without secrets, and ignores values too short to be told from ordinary text', () => {
    expect(redactValues('HTTP 503', [])).toBe('HTTP 503');
    expect(redactValues('status 1 of 3', ['1', 'of'])).toBe('status 1 of 3');
    expect(redactValues(null, ['abcdef'])).toBeNull();
  });
});

describe('urlSecrets', () => {
  it('lists query values (as written and decoded), a bare item, user info and the fragment', () => {
    expect(urlSecrets('https://u:p%40ss@h/x?token=a%2Bb&flag&empty=#frag').sort()).toEqual(['a%2Bb', 'a+b', 'flag', 'frag', 'p%40ss', 'p@ss', 'u'].sort());
    expect(urlSecrets('https://h/x')).toEqual([]);
    expect(urlSecrets('broken?token=abc')).toEqual(['token=abc']);
  });
});
