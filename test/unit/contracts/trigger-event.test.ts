import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { STANDARD_ENTITIES, TRIGGER_EVENT, TRIGGER_KINDS, type TriggerEvent } from '../../../src/contracts/trigger-event.js';

const event: TriggerEvent = {
  eventId: 'e-1',
  kind: 'standard',
  entity: 'electronic_signature',
  action: 'update',
  aggregateKey: 'contract:100',
  contractId: 100,
  companyId: 1,
  integratorId: null,
  source: { table: 'electronic_signatures', lsn: 42, txId: 7, primaryKey: '{"id":1}', op: 'u', committedAt: 1_700_000_000_000 },
  body: { CompanyId: 1, CompanyTxId: '99.999.999/9999-99', ActionType: 1 },
};

describe('trigger event contract', () => {
  it('carries the body as JSON text in Avro, and back', () => {
    const record = TRIGGER_EVENT.toRecord(event);
    expect(record.body).toBe('{"CompanyId":1,"CompanyTxId":"99.999.999/9999-99","ActionType":1}');
    const type = avro.Type.forSchema(TRIGGER_EVENT.schema as avro.Schema);
    expect(TRIGGER_EVENT.fromRecord(type.fromBuffer(type.toBuffer(record)))).toEqual(event);
  });

  it('has the 11 trigger kinds of the ERP and the 7 standard entities', () => {
    expect(TRIGGER_KINDS).toHaveLength(11);
    expect(STANDARD_ENTITIES).toHaveLength(7);
  });
});
