// The embedded broker's SCRAM user, for its SASL listener (REATIVA_KAFKA_SASL_PORT):
// what lets a test run Reativa's Kafka client, and a real `reativa start`,
// through SASL/SCRAM-SHA-512 against a real broker. The password is made once,
// at random, into <stack dir>/secrets (mode 600), like Debezium's; the user is
// written into the KRaft metadata with Kafka's own ConfigCommand, once per
// cluster (a marker names the cluster id and a hash of the credentials, so a
// fresh cluster or new credentials make it again, and nothing else does).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { StackError } from '../errors/stack-error.js';
import { projectPath } from '../paths.js';
import type { ArtifactLayout } from './artifacts.js';
import { EMBEDDED_SCRAM_MECHANISM, type KafkaNode } from './jvm.js';

const execFileAsync = promisify(execFile);

export interface ScramUser {
  readonly username: string;
  readonly password: string;
}

/** The user Reativa's SASL test connects as. */
export const EMBEDDED_SCRAM_USERNAME = 'reativa-scram';

export const scramSecretsFile = (stackDir: string) => path.join(stackDir, 'secrets', 'kafka-scram.properties');

const parseProperties = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

/** The embedded broker's SCRAM user, or undefined before `stack up` made it. */
export function readScramUser(stackDir: string): ScramUser | undefined {
  const file = scramSecretsFile(stackDir);
  if (!fs.existsSync(file)) return undefined;
  const { username, password } = parseProperties(fs.readFileSync(file, 'utf8'));
  return username && password ? { username, password } : undefined;
}

/** Reads the SCRAM user's credentials, making them the first time (hex: no character ConfigCommand's syntax treats specially). */
export function ensureScramSecret(stackDir: string): ScramUser {
  const existing = readScramUser(stackDir);
  if (existing) return existing;
  const user = { username: EMBEDDED_SCRAM_USERNAME, password: randomBytes(24).toString('hex') };
  const file = scramSecretsFile(stackDir);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `# The embedded broker's SCRAM-SHA-512 user (SASL listener); made by stack up.\nusername=${user.username}\npassword=${user.password}\n`, { mode: 0o600 });
  return user;
}

/** What the marker holds: the cluster the user was written to, and which credentials. */
function markerFor(node: KafkaNode, user: ScramUser): string {
  const meta = parseProperties(fs.readFileSync(path.join(node.dataDir, 'meta.properties'), 'utf8'));
  const credentials = createHash('sha256').update(`${user.username}\n${user.password}`).digest('hex');
  return `cluster.id=${meta['cluster.id'] ?? ''}\ncredentials=${credentials}\n`;
}

const markerFile = (node: KafkaNode) => path.join(path.dirname(node.configFile), 'scram-user.applied');

/**
 * Writes the SCRAM user into the running broker's metadata unless this
 * cluster already has it; returns whether it did. The password reaches
 * ConfigCommand through a file (mode 600), not its command line.
 */
export async function ensureScramUser(java: string, layout: ArtifactLayout, node: KafkaNode, stackDir: string): Promise<boolean> {
  const user = ensureScramSecret(stackDir);
  const marker = markerFor(node, user);
  if (fs.existsSync(markerFile(node)) && fs.readFileSync(markerFile(node), 'utf8') === marker) return false;
  const configFile = path.join(path.dirname(scramSecretsFile(stackDir)), `.kafka-scram-add-${process.pid}.properties`);
  // In a file, ConfigCommand takes the value as written: no brackets (those are the command line's quoting).
  fs.writeFileSync(configFile, `${EMBEDDED_SCRAM_MECHANISM}=iterations=8192,password=${user.password}\n`, { mode: 0o600 });
  try {
    await execFileAsync(
      java,
      [
        `-Dlog4j2.configurationFile=${projectPath('stack', 'log4j2.yaml')}`,
        '-cp', `${layout.kafkaLibs}/*`,
        'kafka.admin.ConfigCommand',
        '--bootstrap-server', `${node.host}:${node.port}`,
        '--alter', '--entity-type', 'users', '--entity-name', user.username,
        '--add-config-file', configFile,
      ],
      { timeout: 60_000 },
    );
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    // ConfigCommand echoes the property it refused, password and all: never print it.
    const output = (stderr || stdout || (error as Error).message).split(user.password).join('***');
    throw new StackError(`could not create the Kafka SCRAM user ${user.username}: ${output.trim().split('\n').slice(-5).join('\n')}`);
  } finally {
    fs.rmSync(configFile, { force: true });
  }
  fs.writeFileSync(markerFile(node), marker);
  return true;
}
