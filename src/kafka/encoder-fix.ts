// Two costs of KafkaJS 2.2.4's produce path (its last release), taken off
// where every Kafka client of Reativa is made (client.ts), as the request
// queue fix is:
//   - the record batch checksum, CRC-32C over every byte produced, which KafkaJS
//     computes a byte at a time: replaced by crc32c.ts, eight bytes a step;
//   - its encoder's growth: each record is encoded into a buffer that doubles
//     as it fills, and the batch, the request and the frame copy it again, each
//     time into a new zero-filled buffer (Buffer.alloc). Only the bytes written
//     are ever read (the encoder hands out buf.slice(0, offset)), so the grown
//     buffer need not be zeroed: Buffer.allocUnsafe, which also takes small
//     ones from Node's pool instead of a backing store each.
// In the mapper these were a twentieth and a tenth of its CPU while mapping
// (docs/benchmarks.md, "Mapper"); routing produces every delivery the same way.
//
// The checksum is swapped in the module cache: KafkaJS's record batch module
// takes its checksum function when it first loads, which is at the first
// produce, not when KafkaJS loads. If it has loaded already, the swap is too
// late and is not made (KafkaJS's own checksum stays: slower, still correct).
import { createRequire } from 'node:module';
import { crc32c } from './crc32c.js';

const require = createRequire(import.meta.url);

const CHECKSUM_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
const BATCH_MODULE = 'kafkajs/src/protocol/recordBatch/v0/index.js';
const ENCODER_MODULE = 'kafkajs/src/protocol/encoder.js';

interface EncoderState {
  buf: Buffer;
  offset: number;
}

interface EncoderClass {
  nextPowerOfTwo(value: number): number;
  prototype: { ensureAvailable(this: EncoderState, length: number): void; [PATCHED]?: true };
}

const PATCHED = Symbol.for('reativa.kafkajs.encoderFix');

/** Where each fix stands: false when KafkaJS's internals changed shape (or, for the checksum, it was already in use). */
export interface EncoderFixes {
  readonly checksum: boolean;
  readonly growth: boolean;
}

function swapChecksum(): boolean {
  try {
    const checksumPath = require.resolve(CHECKSUM_MODULE);
    if (typeof require(CHECKSUM_MODULE) !== 'function') return false;
    const entry = require.cache[checksumPath];
    if (!entry) return false;
    if (entry.exports === crc32c) return true;
    if (require.cache[require.resolve(BATCH_MODULE)]) return false;
    entry.exports = crc32c;
    return true;
  } catch {
    return false;
  }
}

function growWithoutZeroing(): boolean {
  try {
    const Encoder = require(ENCODER_MODULE) as EncoderClass;
    const proto = Encoder.prototype;
    if (typeof proto.ensureAvailable !== 'function' || typeof Encoder.nextPowerOfTwo !== 'function') return false;
    if (proto[PATCHED]) return true;
    proto.ensureAvailable = function (this: EncoderState, length: number) {
      if (this.offset + length <= this.buf.length) return;
      const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
      this.buf.copy(grown, 0, 0, this.offset);
      this.buf = grown;
    };
    proto[PATCHED] = true;
    return true;
  } catch {
    return false;
  }
}

/** Puts both fixes in place; idempotent. */
export function fixKafkaEncoder(): EncoderFixes {
  return { checksum: swapChecksum(), growth: growWithoutZeroing() };
}
