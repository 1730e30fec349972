// ParkingPort in memory, for the delivery worker's unit tests. It follows the
// same rules as the PostgreSQL store (src/db/parking.ts); test/integration/
// parking.test.ts runs one contract against both, so the fake cannot drift.
import type { ParkedHead, ParkingPort, QueueOutcome, StuckKey } from '../../src/delivery/ports.js';

interface Queued {
  readonly seq: number;
  readonly deliveryId: string;
  readonly record: Buffer;
}

export class MemoryParking implements ParkingPort {
  readonly heads = new Map<string, ParkedHead & { movedAt: number; dueAt: number | null }>();
  readonly queues = new Map<string, Queued[]>();
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async all() {
    return new Set(this.heads.keys());
  }

  private setHead(key: string, head: ParkedHead, dueAt: number | null) {
    this.heads.set(key, { ...this.view(head), movedAt: this.now(), dueAt });
  }

  private queue(key: string, deliveryId: string, record: Buffer) {
    const q = this.queues.get(key) ?? [];
    if (!q.some((x) => x.deliveryId === deliveryId)) q.push({ seq: ++this.seq, deliveryId, record });
    this.queues.set(key, q);
  }

  async park(key: string, deliveryId: string, attempt: number, record: Buffer, dueAt: number): Promise<'head' | 'queued'> {
    const head = this.heads.get(key);
    if (!head || head.deliveryId === deliveryId) {
      this.setHead(key, { deliveryId, attempt, state: 'waiting', record }, dueAt);
      return 'head';
    }
    this.queue(key, deliveryId, record);
    return 'queued';
  }

  async queueBehind(key: string, deliveryId: string, record: Buffer): Promise<QueueOutcome> {
    const head = this.heads.get(key);
    if (!head) return 'free';
    if (head.deliveryId === deliveryId) return { head: this.view(head) };
    this.queue(key, deliveryId, record);
    return 'queued';
  }

  private view(head: ParkedHead): ParkedHead {
    return { deliveryId: head.deliveryId, attempt: head.attempt, state: head.state, record: head.record };
  }

  async head(key: string) {
    const head = this.heads.get(key);
    return head ? this.view(head) : null;
  }

  async advance(key: string, deliveryId: string, from: number, to: number, dueAt: number) {
    const head = this.heads.get(key);
    if (!head || head.deliveryId !== deliveryId || head.attempt !== from) return false;
    this.setHead(key, { ...head, attempt: to, state: 'waiting' }, dueAt);
    return true;
  }

  async settle(key: string, deliveryId: string, attempt: number): Promise<ParkedHead | null> {
    const head = this.heads.get(key);
    if (!head || head.deliveryId !== deliveryId || head.attempt !== attempt) return null;
    const next = (this.queues.get(key) ?? []).shift();
    if (!next) {
      this.heads.delete(key);
      this.queues.delete(key);
      return null;
    }
    const claimed: ParkedHead = { deliveryId: next.deliveryId, attempt: 1, state: 'sending', record: next.record };
    this.setHead(key, claimed, null);
    return claimed;
  }

  async stuck(overdueMs: number, sendingMs: number, limit: number): Promise<StuckKey[]> {
    const now = this.now();
    return [...this.heads]
      .filter(([, h]) => (h.state === 'waiting' ? h.dueAt !== null && now - h.dueAt > overdueMs : now - h.movedAt > sendingMs))
      .sort(([, a], [, b]) => a.movedAt - b.movedAt)
      .slice(0, limit)
      .map(([key, h]) => ({ key, head: this.view(h) }));
  }

  async revive(key: string, deliveryId: string, from: number, attempt: number, dueAt: number) {
    return this.advance(key, deliveryId, from, attempt, dueAt);
  }
}
