// What every admin page has, on or off: its security headers and its stylesheet.
import type { FastifyInstance } from 'fastify';
import { STYLESHEET, STYLESHEET_PATH } from './views/layout.js';

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // No script, no frame, no third party: a stolen page cannot run or embed anything.
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it Chromium sends `Origin: null` on the page's own form posts, which the origin check refuses.
  // same-origin gives other sites nothing (a URL can hold a search) and this site its own origin.
  'referrer-policy': 'same-origin',
  // Pages show live state and, once logged out, must not come back from a cache.
  'cache-control': 'no-store',
};

/** Adds the security headers to every answer of the page's scope, and serves the stylesheet. */
export function servePageBasics(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });
  app.get(STYLESHEET_PATH, async (_request, reply) => reply.type('text/css; charset=utf-8').send(STYLESHEET.text));
}
