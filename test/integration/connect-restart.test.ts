// Nothing committed in the ERP is lost while Kafka Connect is down: the
// replication slot holds the change, and after a clean stop and a restart the
// change arrives exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectClient } from '../../src/capture/connector.js';
import { replicationSlot } from '../../src/capture/slot.js';
import { NativeStack } from '../../src/stack/native.js';
import { waitFor } from '../../src/util/wait.js';
import { changeReader, erpPool, seedParty, settings, unique } from '../support/harness.js';

const pool = erpPool();
const stack = new NativeStack(settings);
const connect = new ConnectClient(settings.connectUrl, 3000);
const reader = changeReader('contracts');

beforeAll(async () => {
  await reader.start();
});

afterAll(async () => {
  // Whatever happened, leave Connect and the connector running for the next test file.
  if (settings.stackMode === 'native') {
    await stack.startConnect();
    await waitFor('connector RUNNING', async () => (await connect.status(settings.connectorName))?.connector === 'RUNNING', { timeoutMs: 60_000 });
  }
  await reader.stop();
  await pool.end();
});

describe.skipIf(settings.stackMode !== 'native')('Kafka Connect down while the ERP commits', () => {
  it('delivers the change once after Connect starts again, because the replication slot held it', async () => {
    const { companyId, clientId } = await seedParty(pool);
    await stack.stopConnect();
    await waitFor('the slot to go inactive', async () => (await replicationSlot(settings.erpSuperuserDatabaseUrl, 'reativa_erp'))?.active === false, {
      timeoutMs: 30_000,
    });

    const number = unique('C-offline');
    const { rows } = await pool.query<{ id: string }>(
      'INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id',
      [companyId, clientId, number],
    );
    const id = Number(rows[0]!.id);
    const held = await replicationSlot(settings.erpSuperuserDatabaseUrl, 'reativa_erp');
    expect(held?.active).toBe(false);
    expect(held?.lagBytes).toBeGreaterThan(0);

    await stack.startConnect();
    await reader.waitFor((c) => c?.after?.contract_number === number, 1, 60_000);

    // A later change to the same row goes to the same partition, after the insert:
    // once it is here, any duplicate of the insert would have been read already.
    await pool.query("UPDATE contracts SET status = 'suspended' WHERE id = $1", [id]);
    await reader.waitFor((c) => c?.op === 'u' && c.after?.id === id, 1, 15_000);
    expect(reader.matching((c) => c?.op === 'c' && c.after?.id === id)).toHaveLength(1);
  });
});
