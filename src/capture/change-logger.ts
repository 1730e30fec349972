// The thin vertical slice: a consumer group over every ERP change topic that
// decodes each Debezium event and logs table, op and key. The mapper grows out
// of this runner; the shutdown path (leave the group, commit offsets) is the
// one every Reativa consumer uses.
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../log.js';
import { decodeChange } from './envelope.js';
import { CAPTURED_TABLES, changeTopic } from './tables.js';

export interface ChangeLoggerOptions {
  readonly topicPrefix: string;
  readonly groupId: string;
  readonly fromBeginning?: boolean;
}

export interface RunningConsumer {
  readonly consumer: Consumer;
  stop(): Promise<void>;
}

export async function startChangeLogger(kafka: Kafka, logger: Logger, options: ChangeLoggerOptions): Promise<RunningConsumer> {
  const log = logger.child({ component: 'change-logger', group: options.groupId });
  const consumer = kafka.consumer({ groupId: options.groupId, sessionTimeout: 30_000, heartbeatInterval: 3000 });
  await consumer.connect();
  await consumer.subscribe({
    topics: CAPTURED_TABLES.map((t) => changeTopic(options.topicPrefix, t)),
    fromBeginning: options.fromBeginning ?? false,
  });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const decoded = decodeChange(message.key, message.value);
      if (!decoded.ok) {
        log.warn({ topic, partition, offset: message.offset, reason: decoded.reason }, 'undecodable change record skipped');
        return;
      }
      const { change } = decoded;
      log.info(
        { table: change.table, op: change.op, key: change.key, lsn: change.lsn, topic, partition, offset: message.offset },
        'change',
      );
    },
  });
  log.info({ topics: CAPTURED_TABLES.length }, 'consuming ERP changes');
  return {
    consumer,
    // disconnect() stops fetching, commits the resolved offsets and leaves the group.
    stop: async () => {
      await consumer.disconnect();
      log.info('left the consumer group, offsets committed');
    },
  };
}
