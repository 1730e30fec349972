// Where deliveries leave the delivery stage through Kafka: a retry topic (the
// record as routed, byte for byte, with the retry envelope in its headers), or
// the dead-letter topic together with its alert, in one acknowledged batch;
// and records delivery could not read, whole, to the dead-letter topic.
import type { Producer } from 'kafkajs';
import { alertRecord, type Alert } from '../../contracts/alert.js';
import { deliveryDeadLetterRecord, type DeliveryDeadLetter, type OutgoingRecord } from '../../contracts/dead-letter.js';
import { retryHeaders, type RetryEnvelope } from '../../contracts/retry-envelope.js';
import type { Outbox } from '../../delivery/ports.js';
import type { ReativaTopics } from '../../kafka/topics.js';

export class KafkaOutbox implements Outbox {
  constructor(private readonly producer: Producer, private readonly topics: ReativaTopics) {}

  async forward(key: string, eventId: string, record: Buffer, envelope: RetryEnvelope, retryTopicIndex: number): Promise<void> {
    await this.producer.send({
      topic: this.topics.retry(retryTopicIndex),
      acks: -1,
      messages: [{ key, value: record, headers: retryHeaders(envelope, eventId) }],
    });
  }

  /** A record delivery could not read (on reativa.deliveries or a retry topic), kept whole on the dead-letter topic. */
  async unreadable(letter: OutgoingRecord): Promise<void> {
    await this.producer.send({ topic: this.topics.deliveriesDlq, acks: -1, messages: [letter] });
  }

  async deadLetter(key: string, letter: DeliveryDeadLetter, alert: Alert): Promise<void> {
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [
        { topic: this.topics.deliveriesDlq, messages: [deliveryDeadLetterRecord(key, letter)] },
        { topic: this.topics.alerts, messages: [alertRecord(alert)] },
      ],
    });
  }
}
