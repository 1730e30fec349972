import { describe, expect, it } from 'vitest';
import { checkLogin, LoginThrottle, sameSecret, Sessions } from '../../../../src/admin/views/auth.js';

describe('credentials', () => {
  it('accept the configured token and nothing else', () => {
    const credentials = { kind: 'token', token: 'a-long-enough-token-123' } as const;
    expect(checkLogin(credentials, { token: 'a-long-enough-token-123' })).toBe(true);
    expect(checkLogin(credentials, { token: 'a-long-enough-token-124' })).toBe(false);
    expect(checkLogin(credentials, { token: '' })).toBe(false);
    expect(checkLogin(credentials, {})).toBe(false);
    expect(checkLogin(credentials, { user: 'a-long-enough-token-123', password: 'a-long-enough-token-123' })).toBe(false);
  });

  it('need both the user and the password', () => {
    const credentials = { kind: 'password', user: 'operador', password: 'senha-muito-forte' } as const;
    expect(checkLogin(credentials, { user: 'operador', password: 'senha-muito-forte' })).toBe(true);
    expect(checkLogin(credentials, { user: 'operador', password: 'senha-muito-fraca' })).toBe(false);
    expect(checkLogin(credentials, { user: 'outro', password: 'senha-muito-forte' })).toBe(false);
    expect(checkLogin(credentials, { token: 'senha-muito-forte' })).toBe(false);
  });

  it('are compared whatever the lengths (hashed first, then in constant time)', () => {
    expect(sameSecret('x', 'x'.repeat(1000))).toBe(false);
    expect(sameSecret('ç'.repeat(3), 'ç'.repeat(3))).toBe(true);
  });
});

describe('sessions', () => {
  it('expire after their lifetime, counted from login', () => {
    const sessions = new Sessions(60_000);
    const s = sessions.create(1000);
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.csrf).not.toBe(s.id);
    expect(sessions.get(s.id, 60_999)).toBe(s);
    expect(sessions.get(s.id, 61_000)).toBeUndefined();
    expect(sessions.get(s.id, 1000)).toBeUndefined();
  });

  it('are unknown when never made or ended', () => {
    const sessions = new Sessions(60_000);
    expect(sessions.get(undefined, 0)).toBeUndefined();
    expect(sessions.get('forged', 0)).toBeUndefined();
    const s = sessions.create(0);
    sessions.end(s.id);
    expect(sessions.get(s.id, 1)).toBeUndefined();
  });

  it('are bounded in number, the oldest dropped first', () => {
    const sessions = new Sessions(60_000, 2);
    const [a, b, c] = [sessions.create(0), sessions.create(0), sessions.create(0)];
    expect(sessions.get(a.id, 1)).toBeUndefined();
    expect(sessions.get(b.id, 1)).toBe(b);
    expect(sessions.get(c.id, 1)).toBe(c);
  });

  it("accept a form only with the session's own CSRF token", () => {
    const sessions = new Sessions(60_000);
    const s = sessions.create(0);
    expect(Sessions.csrfMatches(s, s.csrf)).toBe(true);
    expect(Sessions.csrfMatches(s, s.id)).toBe(false);
    expect(Sessions.csrfMatches(s, undefined)).toBe(false);
    expect(Sessions.csrfMatches(s, [s.csrf])).toBe(false);
  });
});

describe('the login throttle', () => {
  it('blocks an address after too many failures within the window, until the window passes', () => {
    const throttle = new LoginThrottle(3, 60_000);
    for (let i = 0; i < 3; i++) throttle.failed('10.0.0.1', 1000 + i);
    expect(throttle.blockedFor('10.0.0.1', 2000)).toBe(59_000);
    expect(throttle.blockedFor('10.0.0.2', 2000)).toBe(0);
    expect(throttle.blockedFor('10.0.0.1', 61_000)).toBe(0);
  });

  it('forgets an address once it logs in', () => {
    const throttle = new LoginThrottle(2, 60_000);
    throttle.failed('a', 0);
    throttle.succeeded('a');
    throttle.failed('a', 1);
    expect(throttle.blockedFor('a', 2)).toBe(0);
  });
});
