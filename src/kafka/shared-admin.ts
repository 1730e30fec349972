// One admin connection a process keeps for its own questions to the cluster
// (readiness probes, consumer lag on scrape), rather than a connection per
// question. Requests are not retried here: their callers ask again soon anyway,
// and a probe must answer within its deadline, not after kafkajs' backoff.
import type { Admin, Kafka } from 'kafkajs';

export class SharedAdmin {
  private connecting: Promise<Admin> | undefined;
  private closed = false;

  constructor(private readonly kafka: Kafka) {}

  /** The connected admin; connects on first use, and again after a connection that failed. */
  get(): Promise<Admin> {
    if (this.closed) return Promise.reject(new Error('the process is shutting down'));
    return (this.connecting ??= (async () => {
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        return admin;
      } catch (error) {
        this.connecting = undefined;
        await admin.disconnect().catch(() => undefined);
        throw error;
      }
    })());
  }

  async close(): Promise<void> {
    this.closed = true;
    const admin = await this.connecting?.catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  }
}
