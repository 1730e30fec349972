// `reativa demo` (`npm run demo`): the main job in a minute, on the embedded
// stack. It brings the stack up, starts a demo partner (src/demo/receiver.ts)
// that prints what it receives and fails now and then, runs Reativa (`reativa
// start`, its log in .stack/logs/demo-reativa.log) in a namespace of its own,
// configures Watch Brasil, DIRECTV GO and the standard integration, and writes
// realistic ERP activity at the chosen rate until Ctrl-C (or --duration).
// When it ends, its webhooks are turned off: nothing is sent to a partner that is gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import pg from 'pg';
import { changeLogTopic } from '../capture/tables.js';
import { DEFAULT_ODDS } from '../demo/receipt.js';
import { describeAction, DemoWorld, nextAction, seededRandom } from '../demo/activity.js';
import { applyAction, DEMO_NAMESPACE, demoWebhookPrefix, setUpDemo, tearDownDemo } from '../demo/erp.js';
import { startReceiver } from '../demo/receiver.js';
import { InputError } from '../errors/input-error.js';
import { positionAtEnd } from '../kafka/groups.js';
import { loadSettings } from '../settings.js';
import { createStack } from '../stack/stack.js';
import { groupsOf } from '../stages/registry.js';
import { parseDuration } from '../util/durations.js';
import { sleep, waitFor } from '../util/wait.js';
import { commandKafka, connectAdmin } from './services.js';

interface DemoOptions {
  stack: boolean;
  rate: string;
  duration?: string;
  receiverPort: string;
  failures: string;
  refusals: string;
  seed?: string;
  namespace: string;
}

const share = (option: string, text: string) => {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new InputError(`${option} must be a share between 0 and 1, got "${text}"`);
  return value;
};

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'the main job in a minute: the stack up, a demo partner that prints what it receives (and fails now and then), Reativa running, Watch Brasil, DIRECTV GO and the standard integration configured, and ERP activity written at --rate until Ctrl-C',
    )
    .option('--no-stack', 'do not start the stack (it is up already)')
    .option('--rate <n>', 'ERP actions per second (new contracts, services added and swapped, suspensions, billing runs, payments, signatures)', '2')
    .option('--duration <d>', 'stop after this long (30s, 5m); until Ctrl-C by default')
    .option('--receiver-port <port>', 'port of the demo partner on 127.0.0.1', '8091')
    .option('--failures <share>', 'share of requests the partner answers 503 (retried)', String(DEFAULT_ODDS.retryable))
    .option('--refusals <share>', 'share of requests the partner answers 422 (dead-lettered, alert e-mail)', String(DEFAULT_ODDS.permanent))
    .option('--seed <n>', 'seed of the activity and of the failures (the same seed, the same day at the ISP)')
    .option('--namespace <name>', "Reativa's namespace for the demo (its topics and groups); another than the default makes webhooks of its own", DEMO_NAMESPACE)
    .action(async (options: DemoOptions) => {
      const rate = Number(options.rate);
      if (!Number.isFinite(rate) || rate <= 0 || rate > 200) throw new InputError(`--rate must be a number of actions per second between 0 and 200, got "${options.rate}"`);
      const durationMs = options.duration === undefined ? undefined : parseDuration(options.duration);
      const port = Number(options.receiverPort);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--receiver-port must be a port number, got "${options.receiverPort}"`);
      const odds = { retryable: share('--failures', options.failures), permanent: share('--refusals', options.refusals) };
      const seed = options.seed === undefined ? Date.now() : Number(options.seed);
      if (!Number.isSafeInteger(seed)) throw new InputError(`--seed must be an integer, got "${options.seed}"`);
      if (!/^[a-z0-9][a-z0-9._-]*$/i.test(options.namespace)) throw new InputError(`--namespace must be letters, digits, ".", "_" or "-", got "${options.namespace}"`);
      const namespace = options.namespace;
      const prefix = demoWebhookPrefix(namespace);
      const random = seededRandom(seed);

      const settings = loadSettings();
      if (options.stack && settings.stackMode !== 'external') await createStack(settings, (line) => console.log(line)).up();

      // Reativa's mapper in the demo's namespace starts at the change log's end: the demo shows what happens from now on.
      const kafka = commandKafka(settings);
      const admin = await connectAdmin(settings, kafka);
      await admin.disconnect();
      await positionAtEnd(kafka, groupsOf(namespace).mapper, [changeLogTopic(settings.topicPrefix)]);

      const receiver = await startReceiver({ host: '127.0.0.1', port, odds, random: seededRandom(seed + 1), print: (line) => console.log(line) }).catch((error: unknown) => {
        if ((error as { code?: unknown }).code === 'EADDRINUSE') throw new InputError(`--receiver-port: 127.0.0.1:${port} is in use; give the demo partner another port (0: any free one)`);
        throw error;
      });
      const pool = new pg.Pool({ connectionString: settings.erpSuperuserDatabaseUrl, max: 2, connectionTimeoutMillis: 5000, statement_timeout: 30_000 });

      // Files of the default demo keep their documented names; a demo in another namespace (a test's) has its own.
      const own = namespace === DEMO_NAMESPACE ? 'demo' : `demo-${namespace}`;
      // The admin page needs credentials: a token of the demo's own unless some are set, in a file only its owner reads.
      const env: NodeJS.ProcessEnv = { ...process.env, REATIVA_NAMESPACE: namespace };
      let tokenFile: string | undefined;
      if (!settings.admin.credentials) {
        tokenFile = path.join(settings.stackDir, 'run', `${own}-admin-token`);
        fs.mkdirSync(path.dirname(tokenFile), { recursive: true });
        const token = randomBytes(24).toString('hex');
        fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
        env.REATIVA_ADMIN_TOKEN = token;
      }
      const logFile = path.join(settings.stackDir, 'logs', `${own === 'demo' ? 'demo-reativa' : own}.log`);
      fs.mkdirSync(path.dirname(logFile), { recursive: true });
      const reativa = startReativa(env, logFile);

      let stopping = false;
      const stop = () => {
        stopping = true;
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const world = new DemoWorld();
      let actions = 0;
      let failed = 0;
      try {
        console.log(`starting Reativa in namespace ${namespace} (its log: ${logFile})…`);
        await waitFor('Reativa to start its delivery stage', async () => {
          if (reativa.exited) throw new InputError(`Reativa stopped while starting (exit ${reativa.exited}); its log: ${logFile}`);
          return stopping || reativa.lines.some((l) => l.msg === 'delivery running') ? true : undefined;
        }, { timeoutMs: 180_000 });
        if (stopping) return;
        const setup = await setUpDemo(pool, settings.erpAdminDatabaseUrl, receiver.url, prefix);
        const http = reativa.lines.find((l) => typeof l.address === 'string' && String(l.msg).startsWith('http server listening'))?.address;
        console.log('');
        console.log('Reativa is running. Open:');
        if (http) {
          console.log(`  admin page   ${String(http)}/   (${tokenFile ? `token in ${tokenFile}` : 'the credentials in REATIVA_ADMIN_*'})`);
          console.log(`  metrics      ${String(http)}/metrics   readiness ${String(http)}/readyz`);
        } else console.log(`  (Reativa's HTTP server did not start: see ${logFile})`);
        console.log(`  alert e-mails (MailDev)  ${settings.mailWebUrl}`);
        console.log(`  demo partner ${receiver.url}  (${setup.webhooks.map((w) => `webhook ${w.id} "${w.name}" -> /${w.path}`).join('; ')})`);
        console.log(`writing ERP activity at ${rate}/s${durationMs ? ` for ${options.duration}` : ''} (seed ${seed}); Ctrl-C stops it`);
        console.log('');

        const interval = 1000 / rate;
        const started = Date.now();
        while (!stopping && !reativa.exited && (durationMs === undefined || Date.now() - started < durationMs)) {
          const at = Date.now();
          const action = nextAction(world, random);
          try {
            world.record(action, await applyAction(pool, setup, action));
            console.log(describeAction(action));
            actions += 1;
          } catch (error) {
            failed += 1;
            console.error(`ERP write failed (${action.kind}): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
            if (failed > 10 && failed > actions) throw error;
          }
          await sleep(Math.max(0, interval - (Date.now() - at)));
        }
        // Give the last actions a moment to reach the partner before stopping.
        if (!stopping && !reativa.exited) await sleep(3000);
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
        await reativa.stop();
        const off = await tearDownDemo(pool, prefix).catch(() => 0);
        await pool.end();
        await receiver.close();
        const c = receiver.counts;
        console.log(`demo over: ${actions} ERP action(s); the partner answered ${c.ok} OK, ${c.retryable} 503 (retried), ${c.refused} 422 (dead letters); ${off} demo webhook(s) turned off`);
        console.log(`dead letters: REATIVA_NAMESPACE=${namespace} npm run reativa -- dlq list`);
      }
    });
}

interface RunningReativa {
  readonly lines: { msg?: unknown; address?: unknown }[];
  /** The exit code (or signal) once it exited. */
  readonly exited: string | undefined;
  stop(): Promise<void>;
}

/** `reativa start --no-stack` as a child process, its log in a file; the lines it logs are kept to learn when it runs. */
function startReativa(env: NodeJS.ProcessEnv, logFile: string): RunningReativa {
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  // The same runtime and loader as this process (tsx from the source tree, plain node when built).
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'start', '--no-stack'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: { msg?: unknown; address?: unknown }[] = [];
  let exited: string | undefined;
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      if (!part.startsWith('{')) continue;
      try {
        const line = JSON.parse(part) as { msg?: unknown; address?: unknown };
        // Only what the demo waits on is kept.
        if (line.msg === 'delivery running' || line.address !== undefined) lines.push(line);
      } catch {
        // Not a log line.
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
  child.on('exit', (code, signal) => {
    exited = String(code ?? signal);
  });
  return {
    lines,
    get exited() {
      return exited;
    },
    stop: async () => {
      if (exited === undefined) {
        const done = once(child, 'exit');
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await done;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
