// The embedded broker's SASL/SCRAM listener, as written for the broker, and the
// SCRAM user's credentials: made once at random, private to this machine's user,
// and read back the same. (test/integration/kafka-sasl.test.ts uses them against the real broker.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMBEDDED_SCRAM_MECHANISM, kafkaNode, writeKafkaConfig } from '../../../src/stack/jvm.js';
import { EMBEDDED_SCRAM_USERNAME, ensureScramSecret, readScramUser, scramSecretsFile } from '../../../src/stack/kafka-scram.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reativa-kafka-sasl-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the embedded broker's SASL listener", () => {
  it('is a SASL_PLAINTEXT listener beside the plaintext one, taking SCRAM-SHA-512 only; brokers still talk plaintext', () => {
    const written = writeKafkaConfig(kafkaNode(dir, '127.0.0.1', 9092, 9093, 9094));
    const props = Object.fromEntries(written.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(props.listeners).toContain('SASL://127.0.0.1:9094');
    expect(props['advertised.listeners']).toContain('SASL://127.0.0.1:9094');
    expect(props['listener.security.protocol.map']).toContain('SASL:SASL_PLAINTEXT');
    expect(props['inter.broker.listener.name']).toBe('PLAINTEXT');
    expect(props['listener.name.sasl.sasl.enabled.mechanisms']).toBe(EMBEDDED_SCRAM_MECHANISM);
    expect(EMBEDDED_SCRAM_MECHANISM).toBe('SCRAM-SHA-512');
    // What was written is what the broker reads: a caller compares it with what the broker started with.
    expect(fs.readFileSync(path.join(dir, 'kafka', 'server.properties'), 'utf8')).toBe(written);
  });
});

describe("the SCRAM user's credentials", () => {
  it('are absent until made, then made once, at random, readable by this user only, and read back the same', () => {
    expect(readScramUser(dir)).toBeUndefined();
    const made = ensureScramSecret(dir);
    expect(made.username).toBe(EMBEDDED_SCRAM_USERNAME);
    expect(made.password).toMatch(/^[0-9a-f]{48}$/);
    expect(fs.statSync(scramSecretsFile(dir)).mode & 0o777).toBe(0o600);
    expect(ensureScramSecret(dir)).toEqual(made);
    expect(readScramUser(dir)).toEqual(made);
    expect(ensureScramSecret(fs.mkdtempSync(path.join(dir, 'other-'))).password).not.toBe(made.password);
  });
});
