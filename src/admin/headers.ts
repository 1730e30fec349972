// The response headers of every admin page, on or off.
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
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
