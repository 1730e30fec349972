import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { DELIVERY, deliveryKey, ReceivedDelivery, webhookOfDeliveryKey, type Delivery } from '../../../src/contracts/delivery.js';

const delivery: Delivery = {
  deliveryId: 'd-1', eventId: 'e-1', webhookId: 42, integratorId: 7, contractId: 100, aggregateKey: 'contract:100',
  kind: 'contract_change', entity: null, action: 'update', method: 'POST', url: 'https://partner.example/hook',
  committedAt: 1_700_000_000_000, routedAt: 1_700_000_000_050, body: { CompanyId: 1, Contract: { Id: 100 } },
};

describe('delivery contract', () => {
  it('keys by webhook and aggregate, and reads the webhook back from the key', () => {
    expect(deliveryKey(delivery)).toBe('42|contract:100');
    expect(webhookOfDeliveryKey('42|contract:100')).toBe(42);
    expect(webhookOfDeliveryKey('no-bar')).toBe(-1);
    expect(webhookOfDeliveryKey('x|contract:1')).toBe(-1);
  });

  it('round-trips through Avro, keeping the body text byte for byte when written again', () => {
    const type = avro.Type.forSchema(DELIVERY.schema as avro.Schema);
    const received = DELIVERY.fromRecord(type.fromBuffer(type.toBuffer(DELIVERY.toRecord(delivery))));
    expect(received).toBeInstanceOf(ReceivedDelivery);
    expect(received.body).toEqual(delivery.body);
    expect(received.bodyText).toBe('{"CompanyId":1,"Contract":{"Id":100}}');
    expect(DELIVERY.toRecord(received).body).toBe(received.bodyText);
  });
});
