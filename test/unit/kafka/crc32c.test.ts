import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../../src/kafka/crc32c.js';

// KafkaJS's own, a byte at a time (its inner module, which the encoder fix leaves as it is).
const kafkajsCrc32c = createRequire(import.meta.url)('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (bytes: Buffer) => number;

describe('crc32c', () => {
  it('gives the published check values (RFC 3720, B.4, and the "123456789" check)', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0x00))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)))).toBe(0x113fdb5c);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with KafkaJS on every length around the 8-byte steps, and on a large buffer', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = randomBytes(length);
      expect(crc32c(bytes), `${length} bytes`).toBe(kafkajsCrc32c(bytes));
    }
    const large = randomBytes(1 << 20);
    expect(crc32c(large)).toBe(kafkajsCrc32c(large));
  });

  it('reads only the view it is given (a slice of a larger buffer)', () => {
    const whole = randomBytes(1000);
    const view = whole.subarray(13, 977);
    expect(crc32c(view)).toBe(kafkajsCrc32c(Buffer.from(view)));
  });
});
