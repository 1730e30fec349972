// Debezium → Kafka → kafkajs: row changes on `contracts` arrive as change
// events with before and after images, within 10 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../src/capture/envelope.js';
import { changeReader, erpPool, seedParty, unique } from '../support/harness.js';

const pool = erpPool();
const reader = changeReader('contracts');

beforeAll(async () => {
  await reader.start();
});

afterAll(async () => {
  await reader.stop();
  await pool.end();
});

describe('change capture of contracts', () => {
  it('turns insert, update and delete into c, u and d events with before and after images', async () => {
    const { companyId, clientId } = await seedParty(pool);
    const number = unique('C');
    const { rows } = await pool.query<{ id: string }>(
      'INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id',
      [companyId, clientId, number],
    );
    const id = Number(rows[0]!.id);
    await pool.query("UPDATE contracts SET stage = 'approved' WHERE id = $1", [id]);
    await pool.query('DELETE FROM contracts WHERE id = $1', [id]);

    const events = await reader.waitFor((c) => c !== null && (c.after?.id ?? c.before?.id) === id, 3, 60_000);
    expect(events.map((e) => e?.op)).toEqual(['c', 'u', 'd']);
    const [created, updated, deleted] = events as [Change, Change, Change];

    expect(created.before).toBeNull();
    expect(created.after).toMatchObject({ id, contract_number: number, stage: 'pre_contract', status: 'normal' });

    // REPLICA IDENTITY FULL: the update carries the whole old row, the delete too.
    expect(updated.before).toMatchObject({ id, stage: 'pre_contract' });
    expect(updated.after).toMatchObject({ id, stage: 'approved' });
    expect(deleted.before).toMatchObject({ id, contract_number: number, stage: 'approved' });
    expect(deleted.after).toBeNull();

    for (const e of events as Change[]) {
      expect(e.table).toBe('contracts');
      expect(e.lsn).toBeGreaterThan(0);
      expect(e.committedAt).toBeGreaterThan(Date.now() - 60_000);
    }
  });
});
