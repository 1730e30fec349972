// Kafka's default partitioner (the Java client's murmur2 of the key, positive,
// modulo the partition count) with 32-bit integer arithmetic: kafkajs's own
// runs murmur2 on 64-bit Long objects, which shows on the mapper's and
// routing's produce paths. Same partitions, byte for byte: a key lands where
// any Kafka client would put it (a unit test compares with kafkajs).
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

export function murmur2(key: Buffer | string): number {
  const data = typeof key === 'string' ? Buffer.from(key) : key;
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last one to three bytes (Java's switch falls through from 3 to 1).
  const tail = length & ~3;
  const rest = length & 3;
  if (rest >= 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner gives a key. */
export const partitionOf = (key: Buffer | string, partitions: number) => (murmur2(key) & 0x7fffffff) % partitions;

/** A kafkajs partitioner: the message's partition when set, else the key's; keyless messages round-robin. */
export const DefaultPartitioner: ICustomPartitioner = () => {
  let next = 0;
  return ({ partitionMetadata, message }: PartitionerArgs) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined) return partitionOf(message.key, partitionMetadata.length);
    next = (next + 1) & 0x7fffffff;
    return partitionMetadata[next % partitionMetadata.length]!.partitionId;
  };
};
