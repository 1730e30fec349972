// No Docker engine runs here, so the image is checked by reading: the
// Dockerfile, docker-compose.yml's reativa service, the systemd unit and
// package.json agree with each other and with the settings Reativa reads; and
// no development dependency is imported at load time by the code a production
// install runs (scripts/check-prod-install.sh runs that install for real).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectPath } from '../../../src/paths.js';
import { loadSettings, SETTING_NAMES } from '../../../src/settings.js';
import { importsOf, sourceFiles } from '../architecture/imports.js';

const read = (...parts: string[]) => fs.readFileSync(projectPath(...parts), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  bin: Record<string, string>;
  files: string[];
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
// Continuation lines joined: one instruction a line.
const dockerfile = read('Dockerfile').replace(/\\\n\s*/g, ' ');
const instructions = dockerfile.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
/** The instructions of the last stage: the image that runs. */
const runtime = instructions.slice(instructions.map((line) => line.startsWith('FROM ')).lastIndexOf(true));
/** KEY=value pairs of the runtime stage's ENV instructions. */
const imageEnv = Object.fromEntries(runtime.filter((l) => l.startsWith('ENV ')).flatMap((l) => [...l.slice(4).matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));
const execForm = (keyword: string) => JSON.parse(runtime.find((l) => l.startsWith(`${keyword} `))!.slice(keyword.length + 1)) as string[];

interface ComposeService {
  build?: string;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, unknown>;
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
const app = compose.services.reativa!;
const appEnv = Object.fromEntries(Object.entries(app.environment ?? {}).map(([k, v]) => [k, String(v)]));

const unit = read('deploy', 'reativa@.service');
const unitLines = unit.split('\n').filter((line) => !line.startsWith('#'));
const envExample = Object.fromEntries(
  read('deploy', 'reativa.env.example')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

/** The major of the Node.js image FROM names. */
const nodeImageMajor = () => Number(/^ARG NODE_IMAGE=node:(\d+)-slim$/m.exec(dockerfile)?.[1]);

describe('the Dockerfile', () => {
  it("builds and runs on Node's slim image, the major .ci/run fetches, within package.json's engines", () => {
    const ensureNode = read('scripts', 'ensure-node.sh');
    const ciMajor = Number(/REATIVA_NODE_VERSION:-(\d+)\./.exec(ensureNode)?.[1]);
    expect(nodeImageMajor()).toBe(24);
    expect(nodeImageMajor()).toBe(ciMajor);
    expect(pkg.engines.node).toBe('>=22');
    expect(instructions.filter((l) => l.startsWith('FROM ')).every((l) => /^FROM \$\{NODE_IMAGE\}( AS [a-z-]+)?$/.test(l))).toBe(true);
    expect(read('.ci', 'run')).toContain('source scripts/ensure-node.sh');
  });

  it('compiles with the development dependencies, and runs with the production ones only, as a non-root user', () => {
    const build = instructions.slice(0, instructions.indexOf(runtime[0]!));
    expect(build).toContain('RUN npm ci --no-audit --no-fund');
    expect(build).toContain('RUN npm run build');
    expect(instructions.some((l) => l.startsWith('RUN npm ci --omit=dev'))).toBe(true);
    expect(runtime).toContain('COPY --from=production-dependencies /app/node_modules ./node_modules');
    expect(runtime.filter((l) => l.startsWith('USER '))).toEqual(['USER node']);
    expect(runtime.findIndex((l) => l.startsWith('USER '))).toBeGreaterThan(runtime.findIndex((l) => l.startsWith('RUN ')));
  });

  it('runs what npm run start:prod runs, the package bin', () => {
    expect([...execForm('ENTRYPOINT'), ...execForm('CMD')].join(' ')).toBe(pkg.scripts['start:prod']);
    expect(pkg.scripts['start:prod']).toBe(`node ${pkg.bin.reativa} start`);
    expect(pkg.scripts.start).toMatch(/^node --import tsx /);
  });

  it('runs the CLI from source in-process (node --import tsx), never under the tsx command', () => {
    // The tsx command is a parent process relaying signals: when the child has not answered a
    // Ctrl-C within 60 ms (a mapper busy catching up) it kills it with SIGKILL, so nothing stops cleanly.
    const cli = Object.entries(pkg.scripts).filter(([, command]) => command.includes('src/cli/main.ts'));
    expect(cli.length).toBeGreaterThan(5);
    for (const [name, command] of cli) expect(command, name).toMatch(/^node --import tsx src\/cli\/main\.ts/);
  });

  it("copies exactly package.json's files into the image", () => {
    const copied = runtime.filter((l) => l.startsWith('COPY ') && !l.includes('node_modules')).flatMap((l) => l.replace(/^COPY (--from=\S+ )?/, '').split(' ').slice(0, -1));
    const sources = copied.map((source) => source.replace(/^\/build\//, '')).filter((source) => source !== 'package.json');
    expect(sources.sort()).toEqual([...pkg.files].sort());
    for (const file of pkg.files) expect(fs.existsSync(projectPath(file)) || file === 'dist', file).toBe(true);
  });

  it('sets only settings Reativa reads, valid ones, and exposes the HTTP port it sets', () => {
    const settingNames = Object.keys(imageEnv).filter((name) => name !== 'NODE_ENV');
    for (const name of settingNames) expect(SETTING_NAMES, name).toContain(name);
    const settings = loadSettings(imageEnv, '/app');
    expect(settings.stackMode).toBe('external');
    expect(settings.http).toEqual({ host: '0.0.0.0', port: 8090 });
    expect(runtime).toContain(`EXPOSE ${settings.http.port}`);
    expect(runtime.some((l) => l.startsWith('VOLUME ') && settings.state.dir.startsWith(JSON.parse(l.slice(7))[0] as string))).toBe(true);
  });
});

describe("docker-compose.yml's reativa service", () => {
  it('is built from the Dockerfile, outside the embedded stack (a profile of its own)', () => {
    expect(app.build).toBe('.');
    expect(app.profiles).toEqual(['app']);
    expect(app.command).toEqual(execForm('CMD'));
    for (const dependency of Object.keys(app.depends_on ?? {})) expect(Object.keys(compose.services)).toContain(dependency);
  });

  it("sets valid settings that reach the other services at their addresses in the compose network", () => {
    for (const name of Object.keys(appEnv)) expect(SETTING_NAMES, name).toContain(name);
    const settings = loadSettings(appEnv, '/app');
    expect(settings.stackMode).toBe('external');
    // The broker's listener for other containers.
    expect(String(compose.services.kafka?.environment?.KAFKA_ADVERTISED_LISTENERS)).toContain(`INTERNAL://${settings.kafka.brokers[0]}`);
    expect(settings.schemaRegistryUrl).toMatch(new RegExp(`^http://registry:${compose.services.registry?.ports?.[0]?.split(':').at(-1)}/`));
    expect(compose.services.smtp?.command?.join(' ')).toContain(`--smtp ${new URL(settings.smtpUrl).port}`);
    for (const url of [settings.erpDatabaseUrl, settings.erpAdminDatabaseUrl, settings.reativaDatabaseUrl]) {
      expect(new URL(url).host).toBe(`postgres:${compose.services.postgres?.ports?.[0]?.split(':').at(-1)}`);
    }
    // The image's own settings, unless the service says otherwise.
    expect(settings.state.dir).toBe(imageEnv.REATIVA_STATE_DIR);
    expect(app.ports).toEqual([`127.0.0.1:${settings.http.port}:${settings.http.port}`]);
    expect(app.volumes?.some((v) => settings.state.dir.startsWith(v.split(':')[1]!))).toBe(true);
    expect(Object.keys(compose.volumes ?? {})).toContain(app.volumes?.[0]?.split(':')[0]);
  });
});

describe('the systemd unit and its settings file', () => {
  it('runs the production start of an installed package as an unprivileged user, restarted on failure', () => {
    expect(unitLines).toContain('ExecStart=/usr/bin/node /opt/reativa/dist/cli/main.js start --stages ${STAGES}');
    expect(unitLines.find((l) => l.startsWith('User='))).toBe('User=reativa');
    expect(unitLines).toContain('Restart=on-failure');
    expect(unitLines).toContain('EnvironmentFile=/etc/reativa/reativa.env');
  });

  it('sets only settings Reativa reads, and the example file loads (but for its files)', () => {
    const unitEnv = unitLines.filter((l) => l.startsWith('Environment=REATIVA_')).map((l) => l.slice('Environment='.length).split('=')[0]!);
    for (const name of [...unitEnv, ...Object.keys(envExample)]) expect(SETTING_NAMES, name).toContain(name);
    // The CA files do not exist here: everything else in the example must be valid.
    const { REATIVA_KAFKA_SSL_CA: _ca, ...rest } = envExample;
    const withoutFiles = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v.replace(/&sslrootcert=[^&]*/, '')]));
    const settings = loadSettings(withoutFiles);
    expect(settings.kafka.sasl?.mechanism).toBe('scram-sha-512');
    expect(settings.kafka.tls).toBeDefined();
    expect(settings.topics.replicationFactor).toBe(3);
  });
});

describe('a production install (npm ci --omit=dev)', () => {
  /** The package a specifier names: '@scope/name/sub' → '@scope/name'. */
  const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

  it('has every package src/ imports at load time: no development dependency is imported statically', () => {
    const offending = sourceFiles().flatMap((file) =>
      importsOf(file)
        .external.filter((specifier) => !specifier.startsWith('node:'))
        .map(packageOf)
        .filter((name) => !(name in pkg.dependencies))
        .map((name) => `${file} imports ${name}${name in pkg.devDependencies ? ' (a development dependency: import it dynamically where it is needed)' : ''}`),
    );
    expect(offending).toEqual([]);
  });

  it('keeps the development-only tools out of the dependencies', () => {
    for (const tool of ['tsx', 'typescript', 'vitest', 'maildev', 'testcontainers']) expect(pkg.dependencies, tool).not.toHaveProperty(tool);
    // prepare would run the compiler during npm ci --omit=dev, which has none; the build runs before packing.
    expect(pkg.scripts).not.toHaveProperty('prepare');
    expect(pkg.scripts.prepack).toBe('npm run build');
  });
});
