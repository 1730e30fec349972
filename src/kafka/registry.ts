// Avro through the schema registry (Apicurio's Confluent-compatible API).
// Schemas live in schemas/*.avsc; they are registered at startup under the
// topic's value subject (<topic>-value) with BACKWARD compatibility.
import fs from 'node:fs';
import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import { projectPath } from '../paths.js';
import { fetchWithTimeout } from '../stack/wait.js';

export type { SchemaRegistry };

export function createRegistry(url: string): SchemaRegistry {
  return new SchemaRegistry({ host: url, retry: { retries: 3, initialRetryTimeInSecs: 0.2, maxRetryTimeInSecs: 2 } });
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
