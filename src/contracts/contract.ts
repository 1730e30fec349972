// What every Avro topic contract provides: the schema (generated from
// schemas/<name>.avsc), and the mapping between the value code works with and
// the record Avro carries. The registry codec (src/kafka/avro-codec.ts) frames
// and unframes records; contracts stay free of I/O.
export interface AvroContract<Written, AvroRecord, Read = Written> {
  /** The .avsc file's name, for messages. */
  readonly name: string;
  /** The Avro schema, as an object (JSON.stringify it to register). */
  readonly schema: object;
  toRecord(value: Written): AvroRecord;
  fromRecord(record: AvroRecord): Read;
}

/** A partner-facing JSON body: PascalCase keys, CompanyId, CompanyTxId, ActionType. */
export type Body = Record<string, unknown>;
