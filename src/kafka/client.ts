// One kafkajs client per process, its logs routed into pino.
import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type LogEntry, type Producer } from 'kafkajs';
import { DefaultPartitioner } from './partitioner.js';
import { fixKafkaEncoder } from './encoder-fix.js';
import { fixKafkaRequestQueue } from './request-queue-fix.js';
import { UnrecoverableError } from '../errors/unrecoverable-error.js';
import type { Logger } from '../log.js';
import type { KafkaSasl, KafkaTls, Settings } from '../settings.js';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * What a kafkajs client is made from, as plain data: Reativa's own clients
 * and the short-lived probes that count brokers (health, the stack's checks).
 */
export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** TLS (PEM contents), when the cluster wants it. */
  readonly tls?: KafkaTls | undefined;
  /** SASL credentials, when the cluster wants them. */
  readonly sasl?: KafkaSasl | undefined;
}

export const kafkaConnection = (settings: Settings, clientId = settings.kafka.clientId): KafkaConnection => ({
  brokers: settings.kafka.brokers,
  clientId,
  tls: settings.kafka.tls,
  sasl: settings.kafka.sasl,
});

/** kafkajs's `ssl` and `sasl` options for a connection: every client Reativa makes goes through here. */
export function kafkaSecurity(connection: Pick<KafkaConnection, 'tls' | 'sasl'>): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { tls, sasl } = connection;
  return {
    ...(tls
      ? {
          ssl: {
            // Certificates are always verified: a private CA is given, never verification turned off.
            rejectUnauthorized: true,
            ...(tls.ca ? { ca: [tls.ca] } : {}),
            ...(tls.cert ? { cert: tls.cert } : {}),
            ...(tls.key ? { key: tls.key } : {}),
            ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
          },
        }
      : {}),
    ...(sasl ? { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as KafkaConfig['sasl'] } : {}),
  };
}

/**
 * A broker that refuses Reativa's credentials will refuse them again: this
 * names the settings to fix, instead of the library's words alone (which it
 * keeps). kafkajs may wrap the refusal (KafkaJSNonRetriableError), so the
 * causes are searched. Anything else is returned as it is.
 */
export function explainKafkaRefusal(error: unknown): unknown {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const { name, type, message } = e as { name?: unknown; type?: unknown; message?: unknown };
    if (name === 'KafkaJSSASLAuthenticationError' || type === 'SASL_AUTHENTICATION_FAILED') {
      return new UnrecoverableError(`Kafka refused Reativa's SASL credentials: check REATIVA_KAFKA_SASL_MECHANISM, REATIVA_KAFKA_SASL_USERNAME and REATIVA_KAFKA_SASL_PASSWORD (the broker said: ${String(message)})`, { cause: error });
    }
    if (type === 'UNSUPPORTED_SASL_MECHANISM') {
      return new UnrecoverableError(`the Kafka listener does not offer the mechanism REATIVA_KAFKA_SASL_MECHANISM names (the broker said: ${String(message)})`, { cause: error });
    }
    e = (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return error;
}

/**
 * KafkaJS's idle polling stopped, and its produce path's checksum and buffer
 * growth made cheaper, when this module loads: every module that makes a
 * Kafka client (the stages, the commands, the stack's health check) imports
 * this one, so they are in place before the first client connects.
 */
const REQUEST_QUEUE_FIXED = fixKafkaRequestQueue();
const ENCODER_FIXED = fixKafkaEncoder();

export function createKafka(settings: Settings, logger: Logger, clientId = settings.kafka.clientId): Kafka {
  const connection = kafkaConnection(settings, clientId);
  if (!REQUEST_QUEUE_FIXED) logger.warn('KafkaJS request queue not patched: its internals changed; connections poll every millisecond while idle (src/kafka/request-queue-fix.ts)');
  if (!ENCODER_FIXED.checksum || !ENCODER_FIXED.growth) logger.warn({ ...ENCODER_FIXED }, "KafkaJS produce path not (fully) patched: its internals changed; producing costs more CPU (src/kafka/encoder-fix.ts)");
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: connection.clientId,
    brokers: [...connection.brokers],
    ...kafkaSecurity(connection),
    connectionTimeout: 5000,
    requestTimeout: 30_000,
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
    // kafkajs logs at INFO for every join and leave; WARN keeps the signal.
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        kafkaLogger[levels[level] ?? 'info'](extra, message);
      },
  });
}

/**
 * How much one fetch of a stage's consumer may bring (KafkaJS's defaults are
 * 10 MB a fetch, 1 MB a partition). A fetched response stays in memory while
 * any record of it is being handled (records are views into it), and each is
 * a large allocation: smaller fetches keep a stage process's resident memory
 * small (docs/benchmarks.md, "Memory per process") and 1 MB still holds about
 * a thousand deliveries, far more than a stage has in flight.
 */
export const STAGE_FETCH = { maxBytes: 2 * 1024 * 1024, maxBytesPerPartition: 1024 * 1024 } as const;

/** The change log's records are larger (Debezium's before and after images): twice as much a partition. */
export const CHANGE_LOG_FETCH = { maxBytes: 2 * 1024 * 1024, maxBytesPerPartition: 2 * 1024 * 1024 } as const;

/**
 * A producer for Reativa's topics: Kafka's default partitioning (with the
 * faster murmur2 of ./partitioner.ts), and never creating a topic by accident.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({ createPartitioner: DefaultPartitioner, allowAutoTopicCreation: false });
}

/**
 * Whether a consumer-group error means the group is rebalancing (KafkaJS's own
 * test, which it does not export): the member must let go and rejoin.
 */
export function isRebalance(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION';
}
