import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../../src/kafka/crc32c.js';
import { fixKafkaEncoder } from '../../../src/kafka/encoder-fix.js';

const require = createRequire(import.meta.url);

interface Encoder {
  writeInt8(v: number): Encoder;
  writeInt32(v: number): Encoder;
  writeString(v: string): Encoder;
  writeVarIntBytes(v: Buffer): Encoder;
  readonly buffer: Buffer;
}

describe('KafkaJS encoder fix', () => {
  // Before anything below loads KafkaJS's record batch module, as in a process, where client.ts makes it first.
  const fixes = fixKafkaEncoder();

  it('puts both fixes in place, once', () => {
    expect(fixes).toEqual({ checksum: true, growth: true });
    expect(fixKafkaEncoder()).toEqual({ checksum: true, growth: true });
    expect(require('kafkajs/src/protocol/recordBatch/crc32C/index.js')).toBe(crc32c);
  });

  it('encodes across growth exactly what was written, whatever the grown buffer held before', () => {
    const EncoderClass = require('kafkajs/src/protocol/encoder.js') as new (initialSize?: number) => Encoder;
    // Dirty Node's buffer pool, from which small unzeroed buffers come.
    for (let i = 0; i < 64; i++) Buffer.allocUnsafe(1000).fill(0xab);
    const encoder = new EncoderClass(8);
    const expected: number[] = [];
    for (let i = 0; i < 200; i++) {
      encoder.writeInt8(i % 100);
      expected.push(i % 100);
      const bytes = Buffer.alloc(i * 7, i % 256);
      encoder.writeVarIntBytes(bytes);
      // Zig-zag varint of the length, then the bytes.
      let zigzag = (i * 7) << 1;
      do {
        expected.push(zigzag >= 0x80 ? (zigzag & 0x7f) | 0x80 : zigzag);
        zigzag >>>= 7;
      } while (zigzag > 0);
      expected.push(...bytes);
    }
    encoder.writeString('fim');
    expected.push(0, 3, ...Buffer.from('fim'));
    expect([...encoder.buffer]).toEqual(expected);
  });

  it("checksums record batches with crc32c, the value KafkaJS's own checksum gives", async () => {
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (options: { records: Encoder[] }) => Promise<Encoder> };
    const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (options: { offsetDelta: number; key: Buffer; value: Buffer }) => Encoder;
    const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (bytes: Buffer) => number;
    const records = Array.from({ length: 50 }, (_, i) => Record({ offsetDelta: i, key: Buffer.from(`contract:${i}`), value: Buffer.alloc(300 + i, i) }));
    const frame = (await RecordBatch({ records })).buffer;
    // firstOffset (int64), the batch's length (int32), partitionLeaderEpoch (int32), magic (int8), then the CRC over what follows it.
    const crcAt = 8 + 4 + 4 + 1;
    const body = frame.subarray(crcAt + 4);
    expect(frame.readUInt32BE(crcAt)).toBe(kafkajsCrc32c(body));
    expect(frame.readUInt32BE(crcAt)).toBe(crc32c(body));
  });
});
