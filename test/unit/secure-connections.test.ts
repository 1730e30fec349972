// Secure connections are validated at start (src/settings.ts) and reach each
// client as its own options: kafkajs's ssl and sasl, the registry's basic auth
// and CA, nodemailer's STARTTLS rule. Messages name variables, never values.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requiresStartTls } from '../../src/alerts/mailer.js';
import { createClient } from '../../src/db/pool.js';
import { SettingsError } from '../../src/errors/settings-error.js';
import { explainKafkaRefusal, kafkaConnection, kafkaSecurity } from '../../src/kafka/client.js';
import { loadSettings } from '../../src/settings.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reativa-tls-'));
const pemFile = (name: string, label = 'CERTIFICATE') => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `-----BEGIN ${label}-----\nMIIBdummy\n-----END ${label}-----\n`);
  return file;
};
const ca = pemFile('ca.pem');
const cert = pemFile('client.pem');
const key = pemFile('client.key', 'PRIVATE KEY');
const notPem = path.join(dir, 'not.pem');
fs.writeFileSync(notPem, 'hello');

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The problems a SettingsError lists, or [] when the settings load. */
function problems(env: Record<string, string>): string[] {
  try {
    loadSettings(env);
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return [...error.problems];
    throw error;
  }
}

describe('Kafka TLS and SASL settings', () => {
  it('are off by default: plaintext, no SASL', () => {
    const s = loadSettings({});
    expect(s.kafka.tls).toBeUndefined();
    expect(s.kafka.sasl).toBeUndefined();
    expect(s.kafka.saslPort).toBe(9094);
    expect(kafkaSecurity(kafkaConnection(s))).toEqual({});
  });

  it('read the CA, the client certificate and its key at start, and always verify the broker', () => {
    const s = loadSettings({ REATIVA_KAFKA_SSL: 'true', REATIVA_KAFKA_SSL_CA: ca, REATIVA_KAFKA_SSL_CERT: cert, REATIVA_KAFKA_SSL_KEY: key, REATIVA_KAFKA_SSL_KEY_PASSWORD: 'k' });
    const { ssl } = kafkaSecurity(kafkaConnection(s));
    expect(ssl).toMatchObject({ rejectUnauthorized: true, ca: [fs.readFileSync(ca, 'utf8')], cert: fs.readFileSync(cert, 'utf8'), key: fs.readFileSync(key, 'utf8'), passphrase: 'k' });
    // TLS with the system's CAs: no file needed.
    expect(kafkaSecurity(kafkaConnection(loadSettings({ REATIVA_KAFKA_SSL: 'true' }))).ssl).toEqual({ rejectUnauthorized: true });
  });

  it('take SASL PLAIN (over TLS) and SCRAM, case-insensitively', () => {
    const scram = loadSettings({ REATIVA_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', REATIVA_KAFKA_SASL_USERNAME: 'u', REATIVA_KAFKA_SASL_PASSWORD: 'p' });
    expect(kafkaSecurity(kafkaConnection(scram))).toEqual({ sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
    const plain = loadSettings({ REATIVA_KAFKA_SSL: 'true', REATIVA_KAFKA_SASL_MECHANISM: 'plain', REATIVA_KAFKA_SASL_USERNAME: 'u', REATIVA_KAFKA_SASL_PASSWORD: 'p' });
    expect(plain.kafka.sasl?.mechanism).toBe('plain');
    expect(loadSettings({ REATIVA_KAFKA_SASL_MECHANISM: 'scram-sha-256', REATIVA_KAFKA_SASL_USERNAME: 'u', REATIVA_KAFKA_SASL_PASSWORD: 'p' }).kafka.sasl?.mechanism).toBe('scram-sha-256');
  });

  it('refuse what cannot work or would leak, naming each variable and never a secret', () => {
    expect(problems({ REATIVA_KAFKA_SSL_CA: ca })).toEqual(['REATIVA_KAFKA_SSL_CA: only used with TLS; set REATIVA_KAFKA_SSL=true']);
    expect(problems({ REATIVA_KAFKA_SSL: 'true', REATIVA_KAFKA_SSL_CERT: cert })).toEqual(['REATIVA_KAFKA_SSL_KEY: a client certificate needs both REATIVA_KAFKA_SSL_CERT and REATIVA_KAFKA_SSL_KEY']);
    expect(problems({ REATIVA_KAFKA_SSL: 'true', REATIVA_KAFKA_SSL_CA: path.join(dir, 'missing.pem') })[0]).toMatch(/^REATIVA_KAFKA_SSL_CA: cannot read .*missing\.pem \(ENOENT\)$/);
    expect(problems({ REATIVA_KAFKA_SSL: 'true', REATIVA_KAFKA_SSL_CA: notPem })[0]).toMatch(/^REATIVA_KAFKA_SSL_CA: .* is not a PEM file/);
    expect(problems({ REATIVA_KAFKA_SASL_MECHANISM: 'scram-sha-512', REATIVA_KAFKA_SASL_USERNAME: 'u' })).toEqual(['REATIVA_KAFKA_SASL_PASSWORD: required with REATIVA_KAFKA_SASL_MECHANISM=scram-sha-512']);
    expect(problems({ REATIVA_KAFKA_SASL_PASSWORD: 'secret-value' })).toEqual(['REATIVA_KAFKA_SASL_PASSWORD: set REATIVA_KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512) too']);
    expect(problems({ REATIVA_KAFKA_SASL_MECHANISM: 'plain', REATIVA_KAFKA_SASL_USERNAME: 'u', REATIVA_KAFKA_SASL_PASSWORD: 'secret-value' })).toEqual([
      'REATIVA_KAFKA_SASL_MECHANISM: plain sends the password in clear text; use it with REATIVA_KAFKA_SSL=true, or use scram-sha-512',
    ]);
    expect(problems({ REATIVA_KAFKA_SASL_MECHANISM: 'gssapi' }).join('\n')).toMatch(/REATIVA_KAFKA_SASL_MECHANISM: must be plain, scram-sha-256 or scram-sha-512/);
    expect(problems({ REATIVA_KAFKA_SASL_PASSWORD: 'secret-value', REATIVA_SCHEMA_REGISTRY_PASSWORD: 'secret-value' }).join('\n')).not.toContain('secret-value');
  });

  it("name the settings when the broker refuses the credentials, however kafkajs wraps the refusal", () => {
    const refusal = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials'), { name: 'KafkaJSSASLAuthenticationError' });
    const wrapped = Object.assign(new Error(refusal.message, { cause: refusal }), { name: 'KafkaJSNonRetriableError' });
    for (const error of [refusal, wrapped]) {
      const explained = explainKafkaRefusal(error) as Error;
      expect(explained.name).toBe('UnrecoverableError');
      expect(explained.message).toMatch(/^Kafka refused Reativa's SASL credentials: check REATIVA_KAFKA_SASL_MECHANISM, REATIVA_KAFKA_SASL_USERNAME and REATIVA_KAFKA_SASL_PASSWORD \(the broker said: SASL SCRAM/);
    }
    const outage = Object.assign(new Error('Connection error: ECONNREFUSED'), { name: 'KafkaJSConnectionError' });
    expect(explainKafkaRefusal(outage)).toBe(outage);
  });
});

describe('schema registry settings', () => {
  it('take basic auth and a private CA for https', () => {
    const s = loadSettings({ REATIVA_SCHEMA_REGISTRY_URL: 'https://registry.example/apis/ccompat/v7', REATIVA_SCHEMA_REGISTRY_USERNAME: 'reativa', REATIVA_SCHEMA_REGISTRY_PASSWORD: 'p', REATIVA_SCHEMA_REGISTRY_CA: ca });
    expect(s.schemaRegistry).toEqual({ username: 'reativa', password: 'p', ca: fs.readFileSync(ca, 'utf8') });
    expect(loadSettings({}).schemaRegistry).toEqual({});
  });

  it('refuse a password over plain http to another machine, half a pair, credentials in the URL and a CA without https', () => {
    expect(problems({ REATIVA_SCHEMA_REGISTRY_URL: 'http://registry.example:8081', REATIVA_SCHEMA_REGISTRY_USERNAME: 'u', REATIVA_SCHEMA_REGISTRY_PASSWORD: 'p' })).toEqual([
      'REATIVA_SCHEMA_REGISTRY_PASSWORD: basic auth over http:// sends the password in clear text; use an https:// REATIVA_SCHEMA_REGISTRY_URL',
    ]);
    // The embedded registry, on this machine, may take them over http.
    expect(problems({ REATIVA_SCHEMA_REGISTRY_USERNAME: 'u', REATIVA_SCHEMA_REGISTRY_PASSWORD: 'p' })).toEqual([]);
    expect(problems({ REATIVA_SCHEMA_REGISTRY_USERNAME: 'u' })).toEqual(['REATIVA_SCHEMA_REGISTRY_PASSWORD: basic auth needs both REATIVA_SCHEMA_REGISTRY_USERNAME and REATIVA_SCHEMA_REGISTRY_PASSWORD']);
    expect(problems({ REATIVA_SCHEMA_REGISTRY_URL: 'https://u:p@registry.example' })).toEqual(['REATIVA_SCHEMA_REGISTRY_URL: put credentials in REATIVA_SCHEMA_REGISTRY_USERNAME and REATIVA_SCHEMA_REGISTRY_PASSWORD, not in the URL']);
    expect(problems({ REATIVA_SCHEMA_REGISTRY_CA: ca })).toEqual(['REATIVA_SCHEMA_REGISTRY_CA: only used with an https:// REATIVA_SCHEMA_REGISTRY_URL']);
  });
});

describe('PostgreSQL TLS settings', () => {
  it("take libpq's parameters in each database URL, with readable files", () => {
    const url = `postgres://reativa_app:pw@db.example:5432/reativa?sslmode=verify-full&sslrootcert=${ca}&sslcert=${cert}&sslkey=${key}`;
    expect(loadSettings({ REATIVA_DATABASE_URL: url }).reativaDatabaseUrl).toBe(url);
  });

  it('reach node-postgres as TLS options: the CA, the client certificate and its key, verified', () => {
    const url = `postgres://reativa_app:pw@db.example:5432/reativa?sslmode=verify-full&sslrootcert=${ca}&sslcert=${cert}&sslkey=${key}`;
    // Reativa's own client factory (no connection is made): what every pool and client is built from.
    const client = createClient({ connectionString: loadSettings({ REATIVA_DATABASE_URL: url }).reativaDatabaseUrl });
    expect(client.ssl).toEqual({ ca: fs.readFileSync(ca, 'utf8'), cert: fs.readFileSync(cert, 'utf8') });
    // node-postgres keeps the key non-enumerable, so a logged config does not show it.
    // (typed boolean by @types/pg: an object at run time)
    const tls = client.ssl as unknown as { key?: string; rejectUnauthorized?: boolean };
    expect(tls.key).toBe(fs.readFileSync(key, 'utf8'));
    expect(tls.rejectUnauthorized).not.toBe(false);
    // Without parameters, plaintext (the embedded stack, on this machine).
    expect(createClient({ connectionString: loadSettings({}).reativaDatabaseUrl }).ssl).toBe(false);
  });

  it('refuse an unknown sslmode, a missing file and half a client certificate', () => {
    expect(problems({ REATIVA_ERP_DATABASE_URL: 'postgres://app@db/erp?sslmode=always' })).toEqual(['REATIVA_ERP_DATABASE_URL: sslmode must be one of disable, prefer, require, verify-ca, verify-full, no-verify']);
    expect(problems({ REATIVA_DATABASE_URL: `postgres://app@db/reativa?sslmode=verify-full&sslrootcert=${dir}/nope.pem` })[0]).toMatch(/^REATIVA_DATABASE_URL \(sslrootcert\): cannot read .*nope\.pem \(ENOENT\)$/);
    expect(problems({ REATIVA_ERP_ADMIN_DATABASE_URL: `postgres://cfg@db/erp?sslmode=verify-full&sslcert=${cert}` })).toEqual(['REATIVA_ERP_ADMIN_DATABASE_URL: a client certificate needs both sslcert and sslkey']);
  });
});

describe('SMTP settings', () => {
  it('send credentials over smtp:// only through STARTTLS, except to this machine', () => {
    expect(requiresStartTls(new URL('smtp://alerts:pw@mail.example:587'))).toBe(true);
    expect(requiresStartTls(new URL('smtp://mail.example:25'))).toBe(false);
    expect(requiresStartTls(new URL('smtps://alerts:pw@mail.example:465'))).toBe(false);
    expect(requiresStartTls(new URL('smtp://alerts:pw@127.0.0.1:1025'))).toBe(false);
  });

  it('take a private CA, and refuse a user without a password', () => {
    expect(loadSettings({ REATIVA_SMTP_URL: 'smtps://a:b@mail.example:465', REATIVA_SMTP_TLS_CA: ca }).smtpTlsCa).toBe(fs.readFileSync(ca, 'utf8'));
    expect(problems({ REATIVA_SMTP_URL: 'smtp://alerts@mail.example:587' })).toEqual(['REATIVA_SMTP_URL: has a user but no password (smtp://user:password@host:port; percent-encode special characters)']);
  });
});
