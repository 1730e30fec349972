import { describe, expect, it } from 'vitest';
import { endpointOf, loadSettings } from '../../src/settings.js';
import { SettingsError } from '../../src/errors/settings-error.js';

describe('settings', () => {
  it('defaults to the embedded native stack', () => {
    const s = loadSettings({}, '/srv/reativa');
    expect(s.stackMode).toBe('native');
    expect(s.stackDir).toBe('/srv/reativa/.stack');
    expect(s.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(s.schemaRegistryUrl).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    // One role per kind of access (src/stack/erp-roles.ts), on the same server and database.
    expect(s.erpDatabaseUrl).toBe('postgres://reativa_app@127.0.0.1:54320/erp');
    expect(s.reativaDatabaseUrl).toBe('postgres://reativa_app@127.0.0.1:54320/reativa');
    expect(s.erpAdminDatabaseUrl).toBe('postgres://reativa_config@127.0.0.1:54320/erp');
    expect(s.erpSuperuserDatabaseUrl).toBe('postgres://reativa@127.0.0.1:54320/erp');
    expect(s.connectErpDatabaseUrl).toBe('postgres://reativa_debezium@127.0.0.1:54320/erp');
    expect(s.connectSecretsFile).toBe('/srv/reativa/.stack/secrets/connect-erp.properties');
  });

  it('post-due collection: the ISP zone and a check at least every minute', () => {
    expect(loadSettings({}).collection).toEqual({ timeZone: 'America/Sao_Paulo', checkIntervalMs: 30_000 });
    expect(loadSettings({ REATIVA_COLLECTION_TIME_ZONE: 'America/Manaus', REATIVA_COLLECTION_CHECK_INTERVAL_MS: '60000' }).collection).toEqual({ timeZone: 'America/Manaus', checkIntervalMs: 60_000 });
    expect(() => loadSettings({ REATIVA_COLLECTION_TIME_ZONE: 'Brasil/Nowhere' })).toThrow(/REATIVA_COLLECTION_TIME_ZONE: must be an IANA time zone/);
    expect(() => loadSettings({ REATIVA_COLLECTION_CHECK_INTERVAL_MS: '120000' })).toThrow(/REATIVA_COLLECTION_CHECK_INTERVAL_MS: must be at most 60000/);
  });

  it("derives Debezium's URL from the ERP's, as its own role and without the ERP URL's password", () => {
    const s = loadSettings({ REATIVA_ERP_DATABASE_URL: 'postgres://app:pw@erp-db:6543/erp_prod' });
    expect(s.connectErpDatabaseUrl).toBe('postgres://reativa_debezium@erp-db:6543/erp_prod');
  });

  it("refuses a password in Connect's database URL: it belongs in the secrets file", () => {
    expect(() => loadSettings({ REATIVA_CONNECT_ERP_DATABASE_URL: 'postgres://cdc:pw@db/erp' })).toThrow(/REATIVA_CONNECT_ERP_DATABASE_URL: must not hold a password/);
    expect(loadSettings({ REATIVA_CONNECT_SECRETS_FILE: '/etc/kafka/erp.properties' }).connectSecretsFile).toBe('/etc/kafka/erp.properties');
  });

  it('reads every endpoint from the environment', () => {
    const s = loadSettings({
      REATIVA_STACK: 'external',
      REATIVA_KAFKA_BROKERS: 'k1:9092, k2:9092',
      REATIVA_CONNECT_URL: 'http://connect:8083/',
      REATIVA_ERP_DATABASE_URL: 'postgres://erp@db:5432/erp',
      REATIVA_CONNECT_ERP_DATABASE_URL: 'postgres://erp@db-internal:5432/erp',
    });
    expect(s.stackMode).toBe('external');
    expect(s.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(s.connectUrl).toBe('http://connect:8083');
    expect(s.connectErpDatabaseUrl).toBe('postgres://erp@db-internal:5432/erp');
  });

  it('names every bad variable at once', () => {
    try {
      loadSettings({ REATIVA_STACK: 'kubernetes', REATIVA_KAFKA_BROKERS: 'no-port', REATIVA_SMTP_URL: 'http://mail' });
      expect.unreachable('invalid settings were accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(SettingsError);
      const message = (error as Error).message;
      expect(message).toMatch(/REATIVA_STACK/);
      expect(message).toMatch(/REATIVA_KAFKA_BROKERS: must be a comma-separated list of host:port/);
      expect(message).toMatch(/REATIVA_SMTP_URL: must be a URL with scheme smtp or smtps/);
    }
  });

  it('guards delivery addresses: loopback is allowed by default only with the embedded stack', () => {
    expect(loadSettings({}).delivery).toMatchObject({ attemptDeadlineMs: 30_000, allowHosts: ['127.0.0.1', '::1'], httpsOnly: false });
    expect(loadSettings({ REATIVA_STACK: 'docker' }).delivery.allowHosts).toEqual(['127.0.0.1', '::1']);
    expect(loadSettings({ REATIVA_STACK: 'external' }).delivery.allowHosts).toEqual([]);
    expect(loadSettings({ REATIVA_DELIVERY_ALLOW_HOSTS: 'none' }).delivery.allowHosts).toEqual([]);
    const set = loadSettings({ REATIVA_STACK: 'external', REATIVA_DELIVERY_ALLOW_HOSTS: '127.1, partner.local,10.1.0.0/16', REATIVA_DELIVERY_HTTPS_ONLY: 'true' });
    expect(set.delivery).toMatchObject({ allowHosts: ['127.0.0.1', 'partner.local', '10.1.0.0/16'], httpsOnly: true });
  });

  it('refuses a bad allow list, a bad https-only flag, and a deadline shorter than the response timeout, naming the variable', () => {
    expect(() => loadSettings({ REATIVA_DELIVERY_ALLOW_HOSTS: '10.0.0.0/33' })).toThrow(/REATIVA_DELIVERY_ALLOW_HOSTS: "10.0.0.0\/33": o prefixo deve ir de 0 a 32/);
    expect(() => loadSettings({ REATIVA_DELIVERY_HTTPS_ONLY: 'yes' })).toThrow(/REATIVA_DELIVERY_HTTPS_ONLY: must be true or false/);
    expect(() => loadSettings({ REATIVA_DELIVERY_RESPONSE_TIMEOUT_MS: '20000', REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS: '10000' })).toThrow(
      /REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS: must be at least REATIVA_DELIVERY_RESPONSE_TIMEOUT_MS \(20000\), is 10000/,
    );
    expect(loadSettings({ REATIVA_DELIVERY_RESPONSE_TIMEOUT_MS: '20000', REATIVA_DELIVERY_ATTEMPT_DEADLINE_MS: '20000' }).delivery.attemptDeadlineMs).toBe(20_000);
  });

  it('finds host and port in URLs and host:port pairs', () => {
    expect(endpointOf('127.0.0.1:9092', 1)).toEqual({ host: '127.0.0.1', port: 9092 });
    expect(endpointOf('postgres://u@db:5433/erp', 5432)).toEqual({ host: 'db', port: 5433 });
    expect(endpointOf('http://registry/apis/ccompat/v7', 80)).toEqual({ host: 'registry', port: 80 });
  });
});
