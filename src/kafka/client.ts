// One kafkajs client per process, its logs routed into pino.
import { Kafka, logLevel as KafkaLogLevel, type LogEntry, type Producer } from 'kafkajs';
import { DefaultPartitioner } from './partitioner.js';
import type { Logger } from '../log.js';
import type { Settings } from '../settings.js';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * What a kafkajs client is made from, as plain data: a worker thread (the
 * mapper's state applier) builds its own client from it.
 */
export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
}

export const kafkaConnection = (settings: Settings, clientId = settings.kafka.clientId): KafkaConnection => ({ brokers: settings.kafka.brokers, clientId });

export function createKafka(settings: Settings, logger: Logger, clientId = settings.kafka.clientId): Kafka {
  return createKafkaFrom(kafkaConnection(settings, clientId), logger);
}

export function createKafkaFrom(connection: KafkaConnection, logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: connection.clientId,
    brokers: [...connection.brokers],
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
