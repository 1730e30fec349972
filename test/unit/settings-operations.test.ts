// The settings of each process's HTTP server and of its per-stage progress line.
import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/errors/settings-error.js';
import { loadSettings } from '../../src/settings.js';

describe('operations settings', () => {
  it('listen on 127.0.0.1:8090 and log progress every minute by default', () => {
    const s = loadSettings({}, '/srv/reativa');
    expect(s.http).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(s.progressLogIntervalMs).toBe(60_000);
  });

  it('take another address, port 0 (any free port) and another interval', () => {
    const s = loadSettings({ REATIVA_HTTP_HOST: '0.0.0.0', REATIVA_HTTP_PORT: '0', REATIVA_PROGRESS_LOG_INTERVAL: '15s' }, '/srv/reativa');
    expect(s.http).toEqual({ host: '0.0.0.0', port: 0 });
    expect(s.progressLogIntervalMs).toBe(15_000);
  });

  it('name the bad setting', () => {
    expect(() => loadSettings({ REATIVA_HTTP_PORT: '70000' })).toThrow(/REATIVA_HTTP_PORT/);
    expect(() => loadSettings({ REATIVA_HTTP_HOST: 'http://x/' })).toThrow(/REATIVA_HTTP_HOST/);
    expect(() => loadSettings({ REATIVA_PROGRESS_LOG_INTERVAL: '10ms' })).toThrow(SettingsError);
    expect(() => loadSettings({ REATIVA_PROGRESS_LOG_INTERVAL: 'often' })).toThrow(/REATIVA_PROGRESS_LOG_INTERVAL/);
  });
});
