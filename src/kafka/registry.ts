// Avro through the schema registry (Apicurio's Confluent-compatible API).
// Schemas live in schemas/*.avsc; they are registered at startup under the
// topic's value subject (<topic>-value) with BACKWARD compatibility.
import fs from 'node:fs';
import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import { projectPath } from '../paths.js';
import { fetchWithTimeout } from '../stack/wait.js';

export type { SchemaRegistry };

/** What the client's getSchema() gives for an id (an avsc Type for Avro). */
type Schema = Awaited<ReturnType<SchemaRegistry['getSchema']>>;

export function createRegistry(url: string): SchemaRegistry {
  return new SchemaRegistry({ host: url, retry: { retries: 3, initialRetryTimeInSecs: 0.2, maxRetryTimeInSecs: 2 } });
}

/**
 * Decodes Confluent-framed Avro (magic byte 0, 4-byte schema id, payload)
 * without a promise once the schema id has been seen: the client's own
 * decode() awaits its schema cache on every record, which shows on the
 * delivery hot path. Unknown ids are fetched through the client (and cached).
 */
export class AvroDecoder<T> {
  private readonly schemas = new Map<number, Schema>();

  constructor(private readonly registry: SchemaRegistry) {}

  /** The decoded record, or undefined when the schema id has not been fetched yet. */
  decodeCached(value: Buffer): T | undefined {
    const schema = this.schemas.get(schemaIdOf(value));
    return schema ? (schema.fromBuffer(value.subarray(5)) as T) : undefined;
  }

  async decode(value: Buffer): Promise<T> {
    const cached = this.decodeCached(value);
    if (cached !== undefined) return cached;
    const id = schemaIdOf(value);
    this.schemas.set(id, await this.registry.getSchema(id));
    return this.decodeCached(value)!;
  }
}

function schemaIdOf(value: Buffer): number {
  if (value.length < 5 || value[0] !== 0) throw new Error(`not a schema-registry Avro record (magic byte ${value[0] ?? 'missing'}, ${value.length} bytes)`);
  return value.readInt32BE(1);
}

export function readAvroSchema(name: string): string {
  return fs.readFileSync(projectPath('schemas', `${name}.avsc`), 'utf8');
}

/** Registers an Avro schema under `<topic>-value`; returns the registry id used to encode. */
export async function registerValueSchema(registry: SchemaRegistry, topic: string, schema: string): Promise<number> {
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema },
    { subject: `${topic}-value`, compatibility: COMPATIBILITY.BACKWARD },
  );
  return id;
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
