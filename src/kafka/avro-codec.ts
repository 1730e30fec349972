// Avro on Reativa's topics, in the schema registry's wire format (magic byte 0,
// the writer schema's 4-byte id, the Avro payload), for one topic contract.
// Encoding and, once a writer schema id has been seen, decoding are
// synchronous: the registry client's own encode()/decode() await its schema
// cache on every record, which shows on the hot paths (docs/benchmarks.md).
import avro from 'avsc';
import { COMPATIBILITY, SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { AvroContract } from '../contracts/contract.js';
import { PermanentError } from '../errors/permanent-error.js';
import { RetryableError } from '../errors/retryable-error.js';

const MAGIC = 0;

/** A record that is not in the registry's wire format: no retry can read it. */
export class NotAvroError extends PermanentError {}

export function schemaIdOf(value: Buffer): number {
  if (value.length < 5 || value[0] !== MAGIC) throw new NotAvroError(`not a schema-registry Avro record (magic byte ${value[0] ?? 'missing'}, ${value.length} bytes)`);
  return value.readInt32BE(1);
}

export class AvroCodec<Written, AvroRecord, Read> {
  private readonly type: avro.Type;
  private id: number | undefined;
  /** Where records are encoded before being copied out (encodeRecord). */
  private scratch = Buffer.allocUnsafe(16 * 1024);
  /** How to read each writer schema seen, by registry id (a resolver when it is not ours). */
  private readonly readers = new Map<number, (payload: Buffer) => AvroRecord>();

  constructor(
    private readonly registry: SchemaRegistry,
    readonly contract: AvroContract<Written, AvroRecord, Read>,
  ) {
    this.type = avro.Type.forSchema(contract.schema as avro.Schema);
  }

  /** Registers the contract's schema under `<topic>-value` (BACKWARD compatibility); encode() needs it first. */
  async register(topic: string): Promise<number> {
    const { id } = await this.registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(this.contract.schema) },
      { subject: `${topic}-value`, compatibility: COMPATIBILITY.BACKWARD },
    );
    this.id = id;
    this.readers.set(id, (payload) => this.type.fromBuffer(payload) as AvroRecord);
    return id;
  }

  get schemaId(): number | undefined {
    return this.id;
  }

  encode(value: Written): Buffer {
    return this.encodeRecord(this.contract.toRecord(value));
  }

  encodeRecord(record: AvroRecord): Buffer {
    if (this.id === undefined) throw new Error(`${this.contract.name}: register the schema before encoding`);
    // Written after the header into a scratch buffer kept for the next record,
    // then copied once: avsc's toBuffer() would zero-fill a new buffer of its
    // own per record, to be copied again behind the header.
    let end = this.type.encode(record, this.scratch, 5);
    if (end < 0) {
      // Too small by -end bytes: grown for this record and those after it.
      this.scratch = Buffer.allocUnsafe(Math.max(2 * this.scratch.length, this.scratch.length - end));
      end = this.type.encode(record, this.scratch, 5);
    }
    const framed = Buffer.allocUnsafe(end);
    this.scratch.copy(framed, 5, 5, end);
    framed[0] = MAGIC;
    framed.writeInt32BE(this.id, 1);
    return framed;
  }

  /** The decoded value, or undefined when the writer schema has not been fetched yet (then use decode()). */
  decodeCached(value: Buffer): Read | undefined {
    const record = this.decodeRecordCached(value);
    return record === undefined ? undefined : this.contract.fromRecord(record);
  }

  decodeRecordCached(value: Buffer): AvroRecord | undefined {
    const reader = this.readers.get(schemaIdOf(value));
    return reader?.(value.subarray(5));
  }

  async decode(value: Buffer): Promise<Read> {
    return this.contract.fromRecord(await this.decodeRecord(value));
  }

  async decodeRecord(value: Buffer): Promise<AvroRecord> {
    const cached = this.decodeRecordCached(value);
    if (cached !== undefined) return cached;
    const id = schemaIdOf(value);
    let writer: avro.Type;
    try {
      // For Avro the client answers with an avsc Type (it shares our avsc).
      writer = (await this.registry.getSchema(id)) as unknown as avro.Type;
    } catch (error) {
      const message = `schema ${id} could not be read from the registry: ${(error as Error).message}`;
      // The registry answered that it has no such schema: the record is unreadable for good.
      if ((error as { status?: unknown }).status === 404) throw new NotAvroError(message, { cause: error });
      throw new RetryableError(message, { cause: error });
    }
    let resolver: avro.Resolver;
    try {
      resolver = this.type.createResolver(writer);
    } catch (error) {
      // A writer schema that is not a version of this contract (a record on the wrong topic): unreadable for good.
      throw new NotAvroError(`schema ${id} is not a version of ${this.contract.name}: ${(error as Error).message}`, { cause: error });
    }
    this.readers.set(id, (payload) => this.type.fromBuffer(payload, resolver) as AvroRecord);
    return this.decodeRecordCached(value)!;
  }
}
