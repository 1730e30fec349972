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
    expect(s.connectErpDatabaseUrl).toBe(s.erpDatabaseUrl);
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

  it('finds host and port in URLs and host:port pairs', () => {
    expect(endpointOf('127.0.0.1:9092', 1)).toEqual({ host: '127.0.0.1', port: 9092 });
    expect(endpointOf('postgres://u@db:5433/erp', 5432)).toEqual({ host: 'db', port: 5433 });
    expect(endpointOf('http://registry/apis/ccompat/v7', 80)).toEqual({ host: 'registry', port: 80 });
  });
});
