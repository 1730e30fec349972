// The schema registry (Apicurio's Confluent-compatible API): the client, its
// health, and the registry-wide compatibility level. Records are framed and
// unframed by src/kafka/avro-codec.ts, one codec per topic contract.
import https from 'node:https';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { AvroContract } from '../contracts/contract.js';
import type { RegistryAccess } from '../settings.js';
import { httpCall, type HttpCall } from '../util/http.js';
import { sleep } from '../util/wait.js';
import { AvroCodec } from './avro-codec.js';

export type { SchemaRegistry };

/**
 * `access`: basic auth and a private CA (REATIVA_SCHEMA_REGISTRY_*), for a
 * registry other than the embedded one. The client's calls have a deadline:
 * its agent's socket timeout, and the retry budget below.
 */
export function createRegistry(url: string, access: RegistryAccess = {}): SchemaRegistry {
  return new SchemaRegistry({
    host: url,
    retry: { retries: 3, initialRetryTimeInSecs: 0.2, maxRetryTimeInSecs: 2 },
    ...(access.username !== undefined ? { auth: { username: access.username, password: access.password ?? '' } } : {}),
    ...(access.ca !== undefined ? { agent: new https.Agent({ ca: access.ca, keepAlive: true, timeout: 30_000 }) } : {}),
  });
}

/** The call options for the registry's own API: the basic-auth header, and the private CA its certificate is checked against. */
function registryCall(access: RegistryAccess, call: HttpCall = {}): HttpCall {
  const headers: Record<string, string> = { ...call.headers };
  if (access.username !== undefined) headers['authorization'] = `Basic ${Buffer.from(`${access.username}:${access.password ?? ''}`).toString('base64')}`;
  return { ...call, headers, ...(access.ca !== undefined ? { ca: access.ca } : {}) };
}

/** How many times a registration is tried before a start fails on it. */
const REGISTER_ATTEMPTS = 5;

/**
 * A codec for `contract` with its schema registered under `<topic>-value`.
 * Processes started together (two routing processes of a new namespace)
 * register the same subject at once, and Apicurio refuses all but one of the
 * concurrent writes of the subject's compatibility rule ("A rule named
 * 'COMPATIBILITY' already exists"): registering is idempotent, so a failed
 * attempt is made again, and the next one finds the rule in place.
 */
export async function registeredCodec<W, R, D>(registry: SchemaRegistry, contract: AvroContract<W, R, D>, topic: string): Promise<AvroCodec<W, R, D>> {
  const codec = new AvroCodec(registry, contract);
  for (let attempt = 1; ; attempt += 1) {
    try {
      await codec.register(topic);
      return codec;
    } catch (error) {
      if (attempt >= REGISTER_ATTEMPTS) throw error;
      await sleep(100 * attempt);
    }
  }
}

/**
 * Sets the registry-wide compatibility level. Apicurio answers GET /config/{subject}
 * with the global level for subjects without a rule of their own; the client
 * reads a mismatch there as an error, so the global level must match what we
 * register with (BACKWARD).
 */
export async function setGlobalCompatibility(url: string, level = 'BACKWARD', access: RegistryAccess = {}): Promise<void> {
  const res = await httpCall(
    `${url}/config`,
    registryCall(access, { method: 'PUT', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ compatibility: level }) }),
    5000,
  );
  if (!res.ok) throw new Error(`PUT ${url}/config: HTTP ${res.status} ${res.text}`);
}

export async function registryHealthy(url: string, access: RegistryAccess = {}): Promise<boolean> {
  const res = await httpCall(`${url}/subjects`, registryCall(access), 2000);
  return res.ok;
}
