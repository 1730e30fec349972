// The admin plugin's gate, on a fastify instance of its own, without the stack:
// nothing is served without credentials configured and a session; sessions
// expire; every form that changes something needs the session's CSRF token and
// this site's origin. What the pages show is tested in views/ and in the browser.
import { fastify, type FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { disabledAdminPlugin } from '../../../src/admin/disabled.js';
import { adminPlugin, sameOrigin } from '../../../src/admin/plugin.js';
import { STYLESHEET_PATH } from '../../../src/admin/views/layout.js';
import { Health } from '../../../src/health/health.js';
import { reativaTopics } from '../../../src/kafka/topics.js';
import { createLogger } from '../../../src/log.js';
import { loadSettings } from '../../../src/settings.js';

const TOKEN = 'a-token-long-enough-for-the-page';
const logger = createLogger('silent');

/** The page with no Kafka and no database: the requests below never reach them. */
async function admin(env: NodeJS.ProcessEnv): Promise<FastifyInstance> {
  const settings = loadSettings({ REATIVA_ADMIN_SESSION_MINUTES: '30', ...env });
  const unused = new Proxy({}, { get: () => { throw new Error('not used by this test'); } });
  const app = fastify();
  await app.register(
    adminPlugin({
      settings,
      reativaPool: unused as pg.Pool,
      kafka: unused as Kafka,
      topics: reativaTopics('unit'),
      health: new Health(logger),
      stages: new Set(['delivery']),
      groups: [],
      live: () => undefined,
      logger,
    }),
  );
  return app;
}

const cookieOf = (setCookie: string | string[] | undefined): string => {
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  return (first ?? '').split(';')[0]!;
};

const form = (cookie: string, payload: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  payload: new URLSearchParams(payload).toString(),
  headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', host: 'localhost:80', ...headers },
});

async function login(app: FastifyInstance): Promise<{ cookie: string; csrf: string }> {
  const response = await app.inject({ url: '/entrar', ...form('', { token: TOKEN, next: '/' }) });
  expect(response.statusCode).toBe(303);
  const cookie = cookieOf(response.headers['set-cookie']);
  const home = await app.inject({ url: '/', headers: { cookie } });
  expect(home.statusCode).toBe(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(home.body)?.[1];
  expect(csrf).toBeDefined();
  return { cookie, csrf: csrf! };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the admin page', () => {
  it('refuses everything, naming the settings, when no credentials are configured', async () => {
    const app = await admin({});
    for (const url of ['/', '/entrar', '/entregas', '/fila-de-falhas']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(503);
      expect(response.body).toContain('REATIVA_ADMIN_TOKEN');
    }
    expect((await app.inject({ method: 'POST', url: '/entrar', payload: { token: TOKEN } })).statusCode).toBe(503);
  });

  it("when off, answers beside the process's other routes without standing in front of them, with the page's headers", async () => {
    const app = fastify();
    app.get('/healthz', async () => 'ok');
    await app.register(disabledAdminPlugin('unit'));
    expect((await app.inject({ url: '/healthz' })).body).toBe('ok');
    const off = await app.inject({ url: '/qualquer/coisa?x=1' });
    expect(off.statusCode).toBe(503);
    expect(off.headers['content-security-policy']).toContain("default-src 'none'");
    expect(off.body).toContain('REATIVA_ADMIN_PASSWORD');
    expect((await app.inject({ url: STYLESHEET_PATH })).headers['content-type']).toContain('text/css');
  });

  it('sends a visitor without a session to the login, and refuses a wrong token', async () => {
    const app = await admin({ REATIVA_ADMIN_TOKEN: TOKEN });
    const page = await app.inject({ url: '/entregas?contrato=7' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/entrar?proximo=%2Fentregas%3Fcontrato%3D7');
    const wrong = await app.inject({ method: 'POST', url: '/entrar', payload: { token: 'not-the-token' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Token inválido.');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const post = await app.inject({ method: 'POST', url: '/fila-de-falhas/confirmar', payload: { ids: 'deliveries:0:1' } });
    expect(post.statusCode).toBe(401);
    // Not even a right token from another site's form.
    const foreign = await app.inject({ method: 'POST', url: '/entrar', payload: { token: TOKEN }, headers: { origin: 'https://attacker.example' } });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.headers['set-cookie']).toBeUndefined();
  });

  it('logs in with user and password, and never sends the visitor to another site after', async () => {
    const app = await admin({ REATIVA_ADMIN_USER: 'operador', REATIVA_ADMIN_PASSWORD: 'uma-senha-bem-longa' });
    const ok = await app.inject({ method: 'POST', url: '/entrar', payload: { user: 'operador', password: 'uma-senha-bem-longa', next: '//attacker.example/' } });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/');
    expect(String(ok.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect(String(ok.headers['set-cookie'])).toMatch(/SameSite=Strict/);
    const bad = await app.inject({ method: 'POST', url: '/entrar', payload: { user: 'operador', password: 'outra-senha-bem-longa' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toContain('Usuário ou senha inválidos.');
  });

  it('ends a session after REATIVA_ADMIN_SESSION_MINUTES, counted from login', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-12-01T12:00:00Z'));
    const app = await admin({ REATIVA_ADMIN_TOKEN: TOKEN });
    const { cookie } = await login(app);
    vi.setSystemTime(Date.parse('2026-12-01T12:29:59Z'));
    expect((await app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(200);
    vi.setSystemTime(Date.parse('2026-12-01T12:30:00Z'));
    const expired = await app.inject({ url: '/', headers: { cookie } });
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toMatch(/^\/entrar/);
  });

  it('refuses a form without the session’s CSRF token, or from another origin', async () => {
    const app = await admin({ REATIVA_ADMIN_TOKEN: TOKEN });
    const { cookie, csrf } = await login(app);
    const missing = await app.inject({ url: '/sair', ...form(cookie, {}) });
    expect(missing.statusCode).toBe(403);
    const wrong = await app.inject({ url: '/sair', ...form(cookie, { csrf: `${csrf}x` }) });
    expect(wrong.statusCode).toBe(403);
    const foreign = await app.inject({ url: '/sair', ...form(cookie, { csrf }, { origin: 'https://attacker.example' }) });
    expect(foreign.statusCode).toBe(403);
    const opaque = await app.inject({ url: '/sair', ...form(cookie, { csrf }, { origin: 'null' }) });
    expect(opaque.statusCode).toBe(403);
    // Still logged in after all that; then a proper logout ends the session.
    expect((await app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(200);
    const out = await app.inject({ url: '/sair', ...form(cookie, { csrf }, { origin: 'http://localhost:80' }) });
    expect(out.statusCode).toBe(303);
    expect((await app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(303);
  });

  it('tells this site’s origin from others, default ports aside', () => {
    expect(sameOrigin(undefined, 'admin.isp:8090')).toBe(true);
    expect(sameOrigin('http://admin.isp:8090', 'admin.isp:8090')).toBe(true);
    expect(sameOrigin('https://admin.isp', 'admin.isp:443')).toBe(true);
    expect(sameOrigin('http://admin.isp:80', 'admin.isp')).toBe(true);
    expect(sameOrigin('http://admin.isp:8091', 'admin.isp:8090')).toBe(false);
    expect(sameOrigin('https://attacker.example', 'admin.isp:8090')).toBe(false);
    expect(sameOrigin('null', 'admin.isp:8090')).toBe(false);
    expect(sameOrigin('http://admin.isp:8090', undefined)).toBe(false);
  });

  it('sends headers that keep the page out of frames, caches and other sites’ scripts', async () => {
    const app = await admin({ REATIVA_ADMIN_TOKEN: TOKEN });
    const response = await app.inject({ url: '/entrar' });
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['cache-control']).toBe('no-store');
    // Not no-referrer: Chromium would then send `Origin: null` with the page's own forms.
    expect(response.headers['referrer-policy']).toBe('same-origin');
  });
});
