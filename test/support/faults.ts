// The pieces of the fault-injection suite (test/faults): a seeded random
// source, a partner that fails, hangs and drops connections at random, and the
// checker that judges what the partner received against what the ERP
// committed. The checker is pure, so its verdicts can be trusted on their own.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** mulberry32: small, fast and seeded, so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PartnerOdds {
  /** Answer 503. */
  readonly fail: number;
  /** Never answer (the delivery's deadline decides). */
  readonly hang: number;
  /** Close the connection without an answer. */
  readonly drop: number;
  /** Answer 200 after a pause. */
  readonly slow: number;
}

/** One request that the partner answered 200: a delivery. */
export interface Receipt {
  readonly path: string;
  readonly contractId: number;
  readonly period: number;
  readonly eventId: string;
  readonly at: number;
}

/** A partner that misbehaves at random, and remembers what it accepted, in order. */
export class FaultyPartner {
  readonly receipts: Receipt[] = [];
  readonly tally = { requests: 0, failed: 0, hung: 0, dropped: 0, slow: 0 };
  private server: http.Server | undefined;
  private readonly hanging = new Set<http.ServerResponse>();

  constructor(
    private readonly random: () => number,
    private readonly odds: PartnerOdds,
  ) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.tally.requests += 1;
        const roll = this.random();
        const { fail, hang, drop, slow } = this.odds;
        if (roll < fail) {
          this.tally.failed += 1;
          res.statusCode = 503;
          res.end();
          return;
        }
        if (roll < fail + hang) {
          this.tally.hung += 1;
          this.hanging.add(res);
          res.on('close', () => this.hanging.delete(res));
          return;
        }
        if (roll < fail + hang + drop) {
          this.tally.dropped += 1;
          req.socket.destroy();
          return;
        }
        const accept = () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Contract: { Id: number; BillingPeriod: number } };
          this.receipts.push({
            path: new URL(req.url ?? '/', 'http://partner').pathname,
            contractId: body.Contract.Id,
            period: body.Contract.BillingPeriod,
            eventId: String(req.headers['x-reativa-event-id']),
            at: Date.now(),
          });
          res.statusCode = 200;
          res.end('{"ok":true}');
        };
        if (roll < fail + hang + drop + slow) {
          this.tally.slow += 1;
          setTimeout(accept, 300);
        } else accept();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface Verdict {
  /** (webhook path, contract) pairs checked. */
  readonly keys: number;
  /** Changes committed per key, summed: what must arrive. */
  readonly changes: number;
  /** Changes that never arrived. */
  readonly missing: readonly string[];
  /** Keys whose first deliveries were not in commit order. */
  readonly violations: readonly string[];
  /** Deliveries beyond the first of each change. */
  readonly duplicates: number;
  /** Deliveries of one change that carried different event ids (a replay must re-send the same bytes). */
  readonly idMismatches: number;
}

/**
 * Every committed change of every (webhook, contract) arrived at least once,
 * and the first deliveries of each key arrived in commit order.
 * `committed`: per contract, the billing periods written, in commit order.
 */
export function judge(paths: readonly string[], committed: ReadonlyMap<number, readonly number[]>, receipts: readonly Receipt[]): Verdict {
  const missing: string[] = [];
  const violations: string[] = [];
  let duplicates = 0;
  let idMismatches = 0;
  let changes = 0;
  for (const path of paths) {
    for (const [contractId, periods] of committed) {
      changes += periods.length;
      const mine = receipts.filter((r) => r.path === path && r.contractId === contractId);
      const firstOrder: number[] = [];
      const ids = new Map<number, string>();
      for (const r of mine) {
        const id = ids.get(r.period);
        if (id === undefined) {
          ids.set(r.period, r.eventId);
          firstOrder.push(r.period);
        } else {
          duplicates += 1;
          if (id !== r.eventId) idMismatches += 1;
        }
      }
      for (const p of periods) if (!ids.has(p)) missing.push(`${path} contract ${contractId} period ${p}`);
      const rank = new Map(periods.map((p, i) => [p, i]));
      const ranks = firstOrder.map((p) => rank.get(p) ?? -1);
      if (ranks.some((r, i) => i > 0 && r < ranks[i - 1]!)) violations.push(`${path} contract ${contractId}: first deliveries in order ${firstOrder.join(',')}`);
    }
  }
  return { keys: paths.length * committed.size, changes, missing, violations, duplicates, idMismatches };
}
