// Where deliveries leave the delivery stage through Kafka: a retry topic (the
// record as routed, byte for byte, with the retry envelope in its headers), or
// the dead-letter topic together with its alert, in one acknowledged batch.
import type { Producer } from 'kafkajs';
import { alertRecord, type Alert } from '../../contracts/alert.js';
import { deliveryDeadLetterRecord, type DeliveryDeadLetter } from '../../contracts/dead-letter.js';
import type { ReceivedDelivery } from '../../contracts/delivery.js';
import { retryHeaders, type RetryEnvelope } from '../../contracts/retry-envelope.js';
import type { Outbox } from '../../delivery/ports.js';
import type { ReativaTopics } from '../../kafka/topics.js';

export class KafkaOutbox implements Outbox {
  constructor(private readonly producer: Producer, private readonly topics: ReativaTopics) {}

  async forward(key: string, delivery: ReceivedDelivery, record: Buffer, envelope: RetryEnvelope, retryTopicIndex: number): Promise<void> {
    await this.producer.send({
      topic: this.topics.retry(retryTopicIndex),
      acks: -1,
      messages: [{ key, value: record, headers: retryHeaders(envelope, delivery.eventId) }],
    });
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
