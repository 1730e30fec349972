import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionOf } from '../../../src/kafka/partitioner.js';

const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

describe('the default partitioner', () => {
  it("hashes keys exactly as Kafka's (and kafkajs's) murmur2 does", () => {
    for (let i = 0; i < 5000; i++) {
      const key = i % 2 ? randomBytes(i % 37) : `${i}|contract:${i * 7919}`;
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    }
  });

  it('puts a key on the partition any Kafka client would', () => {
    // Java client: Utils.toPositive(Utils.murmur2("contract:42".getBytes())) % 3
    expect(partitionOf('contract:42', 3)).toBe((kafkajsMurmur2('contract:42') & 0x7fffffff) % 3);
    expect(partitionOf(Buffer.from(''), 7)).toBe((kafkajsMurmur2(Buffer.from('')) & 0x7fffffff) % 7);
  });
});
