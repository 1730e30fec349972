// The JVM pieces of the stack (Kafka, Kafka Connect, the Debezium plugin,
// Apicurio Registry) come from Maven Central through stack/pom.xml, the one
// versioned descriptor. Maven's own repository (~/.m2) caches downloads; a
// stamp with the descriptor's hash says whether .stack/artifacts is current.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectPath } from '../paths.js';

export interface ArtifactLayout {
  readonly root: string;
  /** One flat classpath for the broker, the storage tool and the Connect worker. */
  readonly kafkaLibs: string;
  readonly plugins: string;
  readonly apicurio: string;
}

export const DESCRIPTOR = projectPath('stack', 'pom.xml');

export function artifactLayout(stackDir: string): ArtifactLayout {
  const root = path.join(stackDir, 'artifacts');
  return {
    root,
    kafkaLibs: path.join(root, 'kafka', 'libs'),
    plugins: path.join(root, 'plugins'),
    apicurio: path.join(root, 'apicurio'),
  };
}

function descriptorHash(): string {
  return createHash('sha256').update(fs.readFileSync(DESCRIPTOR)).digest('hex');
}

const stampFile = (layout: ArtifactLayout) => path.join(layout.root, '.fetched');

export function artifactsCurrent(layout: ArtifactLayout): boolean {
  const stamp = stampFile(layout);
  return fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === descriptorHash();
}

/**
 * Runs Maven to fetch and unpack every artifact. Progress goes to `progress`
 * every few seconds (artifacts downloaded so far), since a first fetch takes minutes.
 */
export async function fetchArtifacts(mvn: string, layout: ArtifactLayout, progress: (line: string) => void): Promise<void> {
  fs.rmSync(layout.root, { recursive: true, force: true });
  fs.mkdirSync(layout.root, { recursive: true });
  const logPath = path.join(layout.root, 'maven.log');
  const log = fs.createWriteStream(logPath);
  // Batch mode prints one 'Downloaded from' line per file: we count those for progress.
  const args = ['-B', '-f', DESCRIPTOR, `-Dstack.dir=${layout.root}`, 'package'];
  let downloaded = 0;
  let lastReport = Date.now();
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(mvn, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      downloaded += (chunk.toString().match(/Downloaded from/g) ?? []).length;
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        progress(`  fetching JVM artifacts from Maven Central: ${downloaded} files so far (${Math.round((Date.now() - started) / 1000)} s)`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('close', (code) => {
      log.end();
      if (code === 0) resolve();
      else reject(new Error(`mvn exited with ${code}; see ${logPath}:\n${fs.readFileSync(logPath, 'utf8').split('\n').filter((l) => /ERROR/.test(l)).slice(0, 10).join('\n')}`));
    });
  });
  for (const dir of [layout.kafkaLibs, layout.plugins, layout.apicurio]) {
    if (!fs.existsSync(dir) || fs.readdirSync(dir).length === 0) throw new Error(`Maven finished but ${dir} is empty; see ${logPath}`);
  }
  fs.writeFileSync(stampFile(layout), descriptorHash());
  progress(`  JVM artifacts ready (${downloaded} files downloaded, ${Math.round((Date.now() - started) / 1000)} s)`);
}
