// The schema registry (Apicurio's Confluent-compatible API): the client, its
// health, and the registry-wide compatibility level. Records are framed and
// unframed by src/kafka/avro-codec.ts, one codec per topic contract.
import https from 'node:https';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Agent } from 'undici';
import type { AvroContract } from '../contracts/contract.js';
import type { RegistryAccess } from '../settings.js';
import { fetchWithTimeout } from '../util/http.js';
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

/**
 * One dispatcher per private CA: the readiness probe asks every few seconds,
 * and each agent keeps its connections. undici is loaded only here, where a
 * private CA needs it: a routing or mapper process has no other use for it.
 */
const dispatchers = new Map<string, Agent>();
const dispatcherFor = async (ca: string): Promise<Agent> => {
  let agent = dispatchers.get(ca);
  if (!agent) {
    const undici = await import('undici');
    agent = dispatchers.get(ca) ?? new undici.Agent({ connect: { ca } });
    dispatchers.set(ca, agent);
  }
  return agent;
};

/** fetch options for the registry's own API calls: the basic-auth header, and the private CA's dispatcher. */
async function registryInit(access: RegistryAccess, init: RequestInit = {}): Promise<RequestInit> {
  const headers = new Headers(init.headers);
  if (access.username !== undefined) headers.set('authorization', `Basic ${Buffer.from(`${access.username}:${access.password ?? ''}`).toString('base64')}`);
  // undici's own option on Node's fetch: the CA the registry's certificate is checked against.
  return { ...init, headers, ...(access.ca !== undefined ? ({ dispatcher: await dispatcherFor(access.ca) } as RequestInit) : {}) };
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
  const res = await fetchWithTimeout(
    `${url}/config`,
    await registryInit(access, { method: 'PUT', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ compatibility: level }) }),
    5000,
  );
  if (!res.ok) throw new Error(`PUT ${url}/config: HTTP ${res.status} ${await res.text()}`);
}

export async function registryHealthy(url: string, access: RegistryAccess = {}): Promise<boolean> {
  const res = await fetchWithTimeout(`${url}/subjects`, await registryInit(access), 2000);
  return res.ok;
}
