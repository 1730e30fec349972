// Masking secrets in text that leaves the process (Kafka records, the attempt
// log, logs, e-mails). Pure.
//
// A webhook URL often carries its partner's token in the query string
// (`https://partner/hook?token=abc`) or, less often, in its user info; the
// real URL is used only to send, and everywhere else it is written masked:
// every query value and the fragment become `***`, user info is dropped, and
// the scheme, host, path and parameter names stay, so an operator still sees
// which endpoint, and which parameters, a webhook uses. A token in a path
// segment cannot be told from an ordinary segment and is not masked: put
// tokens in headers or the query.

export const MASK = '***';

/** A query string (without "?") with every value masked and every name kept as written. */
function maskQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      if (pair === '') return pair;
      const eq = pair.indexOf('=');
      // A bare item (`?abc123`) may be a token without a name: masked whole.
      if (eq === -1) return MASK;
      return eq === pair.length - 1 ? pair : `${pair.slice(0, eq + 1)}${MASK}`;
    })
    .join('&');
}

/**
 * The URL as it may be written anywhere: user info dropped, query values and
 * fragment masked. Idempotent. Text that is not a URL is cut at its first "?"
 * or "#" (a broken URL can hold a token as well as a good one).
 */
export function redactUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !parsed.host) {
    const cut = url.search(/[?#]/);
    const head = (cut === -1 ? url : url.slice(0, cut)).replace(/\/\/[^/@]*@/, '//');
    return cut === -1 ? head : `${head}${url[cut]}${MASK}`;
  }
  parsed.username = '';
  parsed.password = '';
  const search = parsed.search ? `?${maskQuery(parsed.search.slice(1))}` : '';
  const hash = parsed.hash ? `#${MASK}` : '';
  // Not `origin`: it is "null" for a scheme URL does not know, and such a URL must still read as itself.
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${search}${hash}`;
}

/** Shorter values are too likely to occur in ordinary text (an id, "true") to be masked by value. */
const MIN_SECRET_LENGTH = 4;

/**
 * `text` with every occurrence of any of `secrets` replaced by `***`: for what
 * a partner or a library echoes back (a response body saying "invalid token
 * abc", an error naming the URL), which Reativa stores in the attempt log and
 * dead letters. Longer secrets first, so one that contains another is masked whole.
 */
export function redactValues(text: string, secrets: readonly string[]): string;
export function redactValues(text: string | null, secrets: readonly string[]): string | null;
export function redactValues(text: string | null, secrets: readonly string[]): string | null {
  if (text === null || text === '' || secrets.length === 0) return text;
  let out = text;
  for (const secret of [...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

/**
 * The values a URL carries that are secret (query values, the fragment, user
 * info), as written and as decoded, for redactValues.
 */
export function urlSecrets(url: string): string[] {
  const out = new Set<string>();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const cut = url.search(/[?#]/);
    if (cut !== -1) out.add(url.slice(cut + 1));
    return [...out];
  }
  for (const raw of [parsed.username, parsed.password, parsed.hash.slice(1)]) {
    if (raw) out.add(raw).add(safeDecode(raw));
  }
  for (const pair of parsed.search.slice(1).split('&')) {
    const eq = pair.indexOf('=');
    if (pair === '' || eq === pair.length - 1) continue;
    // A bare item is a possible secret too (see maskQuery).
    const raw = eq === -1 ? pair : pair.slice(eq + 1);
    out.add(raw).add(safeDecode(raw.replaceAll('+', ' ')));
  }
  return [...out];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
