// Sending with undici: a pooled keep-alive client per origin, connect and
// response timeouts, a total deadline per attempt, no redirects, and the SSRF
// guard on every connection. Returns the classified outcome with what the
// attempt log needs (latency, a response excerpt of at most 2 KB).
//
// Requests go through the Agent's dispatch() with a small handler rather than
// request(): no response stream and no async iterator per request, which is
// about a third of the client's CPU per delivery (docs/benchmarks.md). The
// handler's one timer is the attempt's deadline; the response is read only up
// to the excerpt, then the connection is dropped.
//
// The guard (src/delivery/address-policy.ts) runs where sockets are made, in
// the Agent's connector: a literal IP is checked before connecting, and a host
// name's addresses inside the socket's own DNS lookup, so the address checked
// is the address connected to; a name that resolves elsewhere the next time
// (DNS rebinding) is checked again on that connection.
import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { AddressPolicy, type AddressFamily } from '../../delivery/address-policy.js';
import { classifyAttemptError, classifyStatus, INVALID_REQUEST } from '../../delivery/outcome.js';
import type { AttemptResult, Transport } from '../../delivery/ports.js';
import type { OutgoingRequest } from '../../delivery/request.js';
import { AttemptDeadlineError } from '../../errors/attempt-deadline-error.js';
import { RequestRefusedError } from '../../errors/request-refused-error.js';
import { redactValues } from '../../util/redact.js';
import { TokenCache } from './oauth-client.js';

export interface SenderOptions {
  readonly connectTimeoutMs: number;
  /** Longest wait for the response's headers, and between two chunks of its body. */
  readonly responseTimeoutMs: number;
  /** Longest one attempt may take, all told: waiting for a connection, connecting, the headers and the body. */
  readonly attemptDeadlineMs: number;
  /** REATIVA_DELIVERY_ALLOW_HOSTS, normalised: host names, IPs and CIDRs the guard lets through. */
  readonly allowHosts: readonly string[];
  /** REATIVA_DELIVERY_HTTPS_ONLY: refuse http:// URLs. */
  readonly httpsOnly: boolean;
}

/** The settings' defaults, with no exception to the guard. */
export const DEFAULT_SENDER_OPTIONS: SenderOptions = { connectTimeoutMs: 5000, responseTimeoutMs: 15_000, attemptDeadlineMs: 30_000, allowHosts: [], httpsOnly: false };

export const RESPONSE_EXCERPT_BYTES = 2048;

export class Sender implements Transport {
  private readonly agent: Agent;
  private readonly deadlineMs: number;
  /** Access tokens of webhooks with OAuth 2.0 client credentials (oauth-client.ts). */
  readonly tokens: TokenCache;

  constructor(options: SenderOptions = DEFAULT_SENDER_OPTIONS) {
    const policy = new AddressPolicy(options, () => new BlockList());
    this.deadlineMs = options.attemptDeadlineMs;
    // One Agent keeps a keep-alive pool per origin; its connect, headers and
    // body timeouts bound each phase, the handler's deadline the whole. The
    // Agent follows no redirects.
    this.agent = new Agent({
      connect: guardedConnector(policy, options.connectTimeoutMs),
      headersTimeout: options.responseTimeoutMs,
      bodyTimeout: options.responseTimeoutMs,
      keepAliveTimeout: 30_000,
      connections: 32,
    });
    // Through the same Agent: the token endpoint passes the address guard too. Its deadline is the attempt's.
    this.tokens = new TokenCache(this.agent, options.attemptDeadlineMs);
  }

  /**
   * One attempt. A webhook with OAuth 2.0 client credentials first gets its
   * access token (cached); a failed token request is the attempt's outcome
   * (retryable or permanent, with its reason). A 401 answered to a cached
   * token (revoked, or expired early at the partner) drops it and tries once
   * more with a new one, within the same attempt.
   */
  async send(req: OutgoingRequest): Promise<AttemptResult> {
    if (!req.oauth || req.invalid !== undefined) return this.dispatchOnce(req, req.headers);
    const started = performance.now();
    let token = await this.tokens.token(req.oauth);
    if (!token.ok) {
      const latencyMs = performance.now() - started;
      return token.retryable
        ? { outcome: { kind: 'retryable', status: null, error: token.reason, retryAfterMs: null }, latencyMs, responseExcerpt: null }
        : { outcome: { kind: 'permanent', status: null, error: token.reason }, latencyMs, responseExcerpt: null };
    }
    let result = await this.dispatchOnce(req, [...req.headers, ['authorization', `Bearer ${token.token}`]]);
    if (result.outcome.status === 401 && !token.fresh) {
      this.tokens.invalidate(req.oauth, token.token);
      const again = await this.tokens.token(req.oauth);
      if (again.ok) {
        token = again;
        result = await this.dispatchOnce(req, [...req.headers, ['authorization', `Bearer ${again.token}`]]);
      }
    }
    // The token is a secret: a partner that echoes it back does not get it into the attempt log or an e-mail.
    const secrets = token.ok ? [token.token] : [];
    const outcome = result.outcome.kind === 'success' ? result.outcome : { ...result.outcome, error: redactValues(result.outcome.error, secrets) };
    return { outcome, latencyMs: performance.now() - started, responseExcerpt: redactValues(result.responseExcerpt, secrets) };
  }

  private dispatchOnce(req: OutgoingRequest, requestHeaders: readonly (readonly [string, string])[]): Promise<AttemptResult> {
    return new Promise((resolve) => {
      const handler = new AttemptHandler(resolve, this.deadlineMs);
      if (req.invalid !== undefined) {
        handler.onResponseError(undefined, new RequestRefusedError(`${INVALID_REQUEST}: ${req.invalid}`));
        return;
      }
      const headers: string[] = [];
      for (const [name, value] of requestHeaders) headers.push(name, value);
      try {
        this.agent.dispatch({ origin: req.origin, path: req.path, method: req.method, headers, body: req.body ?? null }, handler);
      } catch (error) {
        // dispatch throws synchronously on invalid options: a header value with NUL, CR or LF, an invalid
        // header name, a header undici keeps for itself (UND_ERR_INVALID_ARG): permanent (outcome.ts).
        handler.onResponseError(undefined, error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** undici's connector behind the guard: the scheme and a literal IP are checked here, a host name's addresses in the lookup. */
function guardedConnector(policy: AddressPolicy, timeout: number): buildConnector.connector {
  const connect = buildConnector({ timeout, lookup: guardedLookup(policy) });
  return (options, callback) => {
    // The hostname is the URL's, as the WHATWG parser normalised it ("127.1", "0x7f000001" → 127.0.0.1).
    const family = isIP(options.hostname);
    const refusal = policy.refuseProtocol(options.protocol) ?? (family === 0 ? undefined : policy.refuseAddress(options.hostname, family as AddressFamily));
    if (refusal !== undefined) {
      callback(new RequestRefusedError(refusal), null);
      return;
    }
    connect(options, callback);
  };
}

/**
 * The socket's DNS lookup, checked: of the addresses a name resolves to, only
 * those the guard allows are connected to (a name in the allow list, all of
 * them); none left refuses the connection with the first one's reason.
 */
function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    if (policy.allowsHost(hostname)) {
      dns.lookup(hostname, options, callback);
      return;
    }
    dns.lookup(hostname, options, (error, address, family) => {
      if (error) {
        callback(error, address, family);
      } else if (typeof address === 'string') {
        const refusal = policy.refuseAddress(address, family as AddressFamily, hostname);
        if (refusal === undefined) callback(null, address, family);
        else callback(new RequestRefusedError(refusal), address, family);
      } else {
        // All of them (Node asks for every address when it races IPv4 and IPv6).
        const allowed = address.filter((a) => policy.refuseAddress(a.address, a.family as AddressFamily) === undefined);
        if (allowed.length > 0) callback(null, allowed);
        else callback(new RequestRefusedError(policy.refuseAddress(address[0]!.address, address[0]!.family as AddressFamily, hostname) ?? `endereço recusado: ${hostname}`), address);
      }
    });
  };
}

/** Why a request was aborted once its excerpt was read, or its deadline passed while it waited for a connection: never seen, the attempt is already settled. */
const SETTLED = new Error('attempt already settled');

/** The deadline's timer callback: a module function with the handler as argument, no closure per request. */
function expire(handler: AttemptHandler): void {
  handler.expire();
}

/** Keeps the status, Retry-After and at most RESPONSE_EXCERPT_BYTES of the body, then drops the connection; ends the attempt at its deadline. */
class AttemptHandler implements Dispatcher.DispatchHandler {
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private retryAfter: string | undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;

  constructor(
    private readonly resolve: (result: AttemptResult) => void,
    private readonly deadlineMs: number,
  ) {
    this.timer = setTimeout(expire, deadlineMs, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // The deadline passed while the request waited for a connection: it goes no further.
    if (this.settled) controller.abort(SETTLED);
    else this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // Called again after a 1xx; the last call is the final response.
    this.status = statusCode;
    const retryAfter = headers['retry-after'];
    this.retryAfter = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.size < RESPONSE_EXCERPT_BYTES) this.chunks.push(chunk.subarray(0, RESPONSE_EXCERPT_BYTES - this.size));
    this.size += chunk.length;
    // The excerpt is full and the status known: the outcome is the status's.
    // The rest is not read: the connection is closed rather than drained.
    if (this.size > RESPONSE_EXCERPT_BYTES) {
      this.onResponseEnd();
      controller.abort(SETTLED);
    }
  }

  onResponseEnd(): void {
    this.settle({
      outcome: classifyStatus(this.status, this.retryAfter),
      latencyMs: performance.now() - this.started,
      responseExcerpt: this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks).toString('utf8'),
    });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.settle({ outcome: classifyAttemptError(error), latencyMs: performance.now() - this.started, responseExcerpt: null });
  }

  /** The deadline passed: a timeout (retryable), whatever was under way; a started request is aborted, closing its connection. */
  expire(): void {
    if (this.settled) return;
    const error = new AttemptDeadlineError(this.deadlineMs);
    this.onResponseError(undefined, error);
    this.controller?.abort(error);
  }

  private settle(result: AttemptResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve(result);
  }
}
