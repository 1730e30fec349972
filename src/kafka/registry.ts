// The schema registry (Apicurio's Confluent-compatible API): the client, its
// health, and the registry-wide compatibility level. Records are framed and
// unframed by src/kafka/avro-codec.ts, one codec per topic contract.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { AvroContract } from '../contracts/contract.js';
import { fetchWithTimeout } from '../util/http.js';
import { AvroCodec } from './avro-codec.js';

export type { SchemaRegistry };

export function createRegistry(url: string): SchemaRegistry {
  return new SchemaRegistry({ host: url, retry: { retries: 3, initialRetryTimeInSecs: 0.2, maxRetryTimeInSecs: 2 } });
}

/** A codec for `contract` with its schema registered under `<topic>-value`. */
export async function registeredCodec<W, R, D>(registry: SchemaRegistry, contract: AvroContract<W, R, D>, topic: string): Promise<AvroCodec<W, R, D>> {
  const codec = new AvroCodec(registry, contract);
  await codec.register(topic);
  return codec;
}

/**
 * Sets the registry-wide compatibility level. Apicurio answers GET /config/{subject}
 * with the global level for subjects without a rule of their own; the client
 * reads a mismatch there as an error, so the global level must match what we
 * register with (BACKWARD).
 */
export async function setGlobalCompatibility(url: string, level = 'BACKWARD'): Promise<void> {
  const res = await fetchWithTimeout(
    `${url}/config`,
    { method: 'PUT', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ compatibility: level }) },
    5000,
  );
  if (!res.ok) throw new Error(`PUT ${url}/config: HTTP ${res.status} ${await res.text()}`);
}

export async function registryHealthy(url: string): Promise<boolean> {
  const res = await fetchWithTimeout(`${url}/subjects`, {}, 2000);
  return res.ok;
}
