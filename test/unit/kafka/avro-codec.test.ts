import avro from 'avsc';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import type { AvroContract } from '../../../src/contracts/contract.js';
import { AvroCodec, NotAvroError, schemaIdOf } from '../../../src/kafka/avro-codec.js';

interface Note {
  readonly id: number;
  readonly text: string;
}

const SCHEMA = { type: 'record', name: 'Note', fields: [{ name: 'id', type: 'long' }, { name: 'text', type: 'string' }] };
const NOTE: AvroContract<Note, Note> = { name: 'note', schema: SCHEMA, toRecord: (n) => n, fromRecord: (r) => r };

/** A registry that gives every schema the id 4242: registration is all the codec asks of it here. */
const registry = { register: async () => ({ id: 4242 }) } as unknown as SchemaRegistry;

async function codec() {
  const c = new AvroCodec(registry, NOTE);
  await c.register('notes');
  return c;
}

describe('AvroCodec', () => {
  it("frames a record in the registry's wire format: magic byte 0, the schema id, the Avro payload", async () => {
    const framed = (await codec()).encode({ id: 7, text: 'olá' });
    expect(framed[0]).toBe(0);
    expect(schemaIdOf(framed)).toBe(4242);
    expect(framed.subarray(5)).toEqual(avro.Type.forSchema(SCHEMA as avro.Schema).toBuffer({ id: 7, text: 'olá' }));
  });

  it('encodes records of any size, one after another, each whole and apart from the others', async () => {
    const c = await codec();
    const notes = [1, 20_000, 5, 100_000, 3, 70_000].map((size, id) => ({ id, text: 'x'.repeat(size) }));
    const framed = notes.map((n) => c.encode(n));
    expect(framed.map((f) => c.decodeCached(f))).toEqual(notes);
  });

  it('refuses to encode before the schema is registered, and to read what is not framed', async () => {
    expect(() => new AvroCodec(registry, NOTE).encode({ id: 1, text: '' })).toThrow(/register the schema/);
    expect(() => schemaIdOf(Buffer.from([1, 2]))).toThrow(NotAvroError);
  });
});
