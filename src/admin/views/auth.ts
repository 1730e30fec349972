// Who may see the admin page, pure: the credentials from the settings
// (REATIVA_ADMIN_TOKEN, or REATIVA_ADMIN_USER and REATIVA_ADMIN_PASSWORD),
// compared in constant time; sessions that expire, each with its own CSRF
// token for the forms that change something (redrive, logout); and a brake on
// guessing. Sessions live in the process's memory: a restart logs everyone
// out, which for an operator's page is a fair price for keeping no session
// secret anywhere else.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type AdminCredentials = { readonly kind: 'token'; readonly token: string } | { readonly kind: 'password'; readonly user: string; readonly password: string };

/** What the login form sent. */
export interface LoginAttempt {
  readonly token?: string;
  readonly user?: string;
  readonly password?: string;
}

/**
 * Equal strings, in time that depends on neither's content nor length: both
 * sides are hashed first, so timingSafeEqual compares equal-length digests.
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export function checkLogin(credentials: AdminCredentials, attempt: LoginAttempt): boolean {
  if (credentials.kind === 'token') return sameSecret(attempt.token ?? '', credentials.token);
  // Both compared, always: which one was wrong is not told by the time taken either.
  const user = sameSecret(attempt.user ?? '', credentials.user);
  const password = sameSecret(attempt.password ?? '', credentials.password);
  return user && password;
}

export interface Session {
  readonly id: string;
  /** Sent in every form that changes something, and checked against the session's. */
  readonly csrf: string;
  readonly expiresAt: number;
}

const token = () => randomBytes(32).toString('base64url');

/** Sessions by id, each valid until its expiry (counted from login: using the page does not prolong it). */
export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxSessions = 1000,
  ) {}

  create(now: number): Session {
    this.prune(now);
    // Bounded: the oldest sessions go first when too many were opened.
    while (this.byId.size >= this.maxSessions) this.byId.delete(this.byId.keys().next().value!);
    const session: Session = { id: token(), csrf: token(), expiresAt: now + this.ttlMs };
    this.byId.set(session.id, session);
    return session;
  }

  /** The live session with this id, or undefined (unknown, or expired: then forgotten). */
  get(id: string | undefined, now: number): Session | undefined {
    if (!id) return undefined;
    const session = this.byId.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= now) {
      this.byId.delete(id);
      return undefined;
    }
    return session;
  }

  end(id: string | undefined): void {
    if (id) this.byId.delete(id);
  }

  /** Whether a form's CSRF token is the session's, in constant time. */
  static csrfMatches(session: Session, given: unknown): boolean {
    return typeof given === 'string' && sameSecret(given, session.csrf);
  }

  private prune(now: number): void {
    for (const [id, s] of this.byId) if (s.expiresAt <= now) this.byId.delete(id);
  }
}

/**
 * A brake on guessing: after `maxFailures` failed logins from one address
 * within `windowMs`, that address may not try again until the window has
 * passed since its first failure. A success clears its count.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { first: number; count: number }>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 5 * 60_000,
    private readonly maxTracked = 10_000,
  ) {}

  /** Ms until `address` may try again; 0 when it may now. */
  blockedFor(address: string, now: number): number {
    const f = this.failures.get(address);
    if (!f) return 0;
    if (now - f.first >= this.windowMs) {
      this.failures.delete(address);
      return 0;
    }
    return f.count >= this.maxFailures ? f.first + this.windowMs - now : 0;
  }

  failed(address: string, now: number): void {
    const f = this.failures.get(address);
    if (f && now - f.first < this.windowMs) f.count += 1;
    else {
      if (this.failures.size >= this.maxTracked) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(address, { first: now, count: 1 });
    }
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }
}
