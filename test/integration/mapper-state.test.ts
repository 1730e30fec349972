// The mapper's state store under faults and at scale, with the real process:
// kill -9 while it applies a large transaction loses and doubles nothing; a hot
// standby takes over when the active mapper is killed; a 100,000-row Debezium
// snapshot builds the store and sends nothing.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectClient, loadConnectorConfig, withDatabase } from '../../src/capture/connector.js';
import { createRegistry } from '../../src/kafka/registry.js';
import { createLogger } from '../../src/log.js';
import { CHILD_INDEXES } from '../../src/mapping/table-map.js';
import { startMapper, storePath } from '../../src/stages/mapper/runner.js';
import { ChangeStore } from '../../src/state/change-store.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestTopic, erpPool, seedParty, settings, testKafka, unique } from '../support/harness.js';
import { changeLog, one, processNamespace, testNamespace, type TestNamespace } from '../support/pipeline.js';
import { ReativaProcess } from '../support/processes.js';
import { triggerReader, type DecodedEvent } from '../support/triggers.js';

const pool = erpPool();
const kafka = testKafka();
const registry = createRegistry(settings.schemaRegistryUrl);
const processes: ReativaProcess[] = [];
const namespaces: TestNamespace[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  await pool.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
});

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  for (const n of namespaces) await n.drop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  await pool.end();
});

const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reativa-state-'));
  dirs.push(dir);
  return dir;
};

/** The connections of one contract in a store, as of its position. */
function connectionsIn(stateDir: string, contractId: number): Promise<number> {
  const store = ChangeStore.open(storePath(stateDir, changeLog()), { indexes: CHILD_INDEXES });
  let count = 0;
  for (const { row } of store.rowsAsOf('contract_connections', store.appliedThrough)) if (row.contract_id === contractId) count += 1;
  return store.close().then(() => count);
}

async function connectionsBurst(rows: number): Promise<number> {
  const { companyId, clientId } = await seedParty(pool);
  const contract = one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('C-state')])).rows);
  await pool.query("INSERT INTO contract_connections (contract_id, login) SELECT $1, 'state-' || g FROM generate_series(1, $2::int) g", [contract, rows]);
  return contract;
}

/** Every event of these contracts' connections, by source position; each position must have one event id and one body. */
function byPosition(events: DecodedEvent[]): Map<string, { ids: Set<string>; bodies: Set<string> }> {
  const map = new Map<string, { ids: Set<string>; bodies: Set<string> }>();
  for (const e of events) {
    const position = `${e.source.lsn}|${e.source.primaryKey}`;
    const entry = map.get(position) ?? { ids: new Set(), bodies: new Set() };
    entry.ids.add(e.eventId);
    entry.bodies.add(JSON.stringify(e.body));
    map.set(position, entry);
  }
  return map;
}

describe('the mapper state store', () => {
  it('loses and doubles nothing when killed with SIGKILL while it applies a large transaction', async () => {
    const { namespace, env } = await processNamespace(kafka);
    namespaces.push(namespace);
    const stateDir = tempDir();
    const triggers = triggerReader(kafka, registry, namespace.topics.triggers);
    await triggers.start();
    const start = () => {
      const p = new ReativaProcess(['--stages', 'mapper'], { ...env, REATIVA_STATE_DIR: stateDir, REATIVA_LOG_LEVEL: 'info', REATIVA_KAFKA_SESSION_TIMEOUT_MS: '6000' });
      processes.push(p);
      return p;
    };
    try {
      const first = start();
      await first.waitForLog((l) => l.msg.startsWith('mapper active'), 120_000);
      const rows = 20_000;
      const contract = await connectionsBurst(rows);
      const ours = (e: DecodedEvent) => e.contractId === contract && e.entity === 'contract_connections';
      await triggers.waitFor(ours, 1000, 60_000);
      expect(await first.kill('SIGKILL')).toBeNull();

      const second = start();
      await second.waitForLog((l) => l.msg.startsWith('mapper active'), 120_000);
      await waitFor(`all ${rows} connections mapped`, async () => byPosition(triggers.matching(ours)).size >= rows, { timeoutMs: 120_000 });
      const positions = byPosition(triggers.matching(ours));
      expect(positions.size).toBe(rows);
      for (const { ids, bodies } of positions.values()) {
        expect(ids.size).toBe(1);
        expect(bodies.size).toBe(1);
      }
      await second.kill('SIGTERM');
      expect(await connectionsIn(stateDir, contract)).toBe(rows);
    } finally {
      await triggers.stop();
    }
  });

  it('has a hot standby that takes over when the active mapper is killed, with the same bodies', async () => {
    const { namespace, env } = await processNamespace(kafka);
    namespaces.push(namespace);
    const triggers = triggerReader(kafka, registry, namespace.topics.triggers);
    await triggers.start();
    const start = () => {
      const p = new ReativaProcess(['--stages', 'mapper'], { ...env, REATIVA_STATE_DIR: tempDir(), REATIVA_LOG_LEVEL: 'info', REATIVA_KAFKA_SESSION_TIMEOUT_MS: '6000' });
      processes.push(p);
      return p;
    };
    try {
      const a = start();
      await a.waitForLog((l) => l.msg.startsWith('mapper active'), 120_000);
      const b = start();
      // After the rebalance, one holds the log's partition and the other stands by.
      const role = (p: ReativaProcess) => [...p.lines].reverse().find((l) => l.msg.startsWith('mapper active') || l.msg.startsWith('mapper standing by'))?.msg;
      const [active, standby] = await waitFor('one active mapper and one standby', async () => {
        await b.waitForLog((l) => l.msg.startsWith('mapper'), 120_000);
        if (role(a)?.startsWith('mapper active') && role(b)?.startsWith('mapper standing by')) return [a, b] as const;
        if (role(b)?.startsWith('mapper active') && role(a)?.startsWith('mapper standing by')) return [b, a] as const;
        return undefined;
      }, { timeoutMs: 60_000 });
      // Both stores are hot: each applier has caught up with the log.
      for (const p of [active, standby]) await p.waitForLog((l) => l.msg === 'state store caught up with the change log', 120_000);

      const { companyId, clientId } = await seedParty(pool);
      const contracts: number[] = [];
      for (let i = 0; i < 20; i++) contracts.push(one((await pool.query<{ id: string }>('INSERT INTO contracts (company_id, client_id, contract_number) VALUES ($1, $2, $3) RETURNING id', [companyId, clientId, unique('C-standby')])).rows));
      const ours = (e: DecodedEvent) => e.contractId !== null && contracts.includes(e.contractId) && e.kind === 'contract_change';
      const rounds = 10;
      const writing = (async () => {
        for (let round = 1; round <= rounds; round++) await pool.query('UPDATE contracts SET billing_period = $2 WHERE id = ANY($1::bigint[])', [contracts, round]);
      })();
      await triggers.waitFor(ours, 40, 30_000);
      expect(await active.kill('SIGKILL')).toBeNull();
      await writing;

      await standby.waitForLog((l) => l.msg.startsWith('mapper active'), 60_000);
      const expected = contracts.length * (1 + rounds);
      await waitFor(`all ${expected} changes mapped by the standby`, async () => byPosition(triggers.matching(ours)).size >= expected, { timeoutMs: 60_000 });
      const positions = byPosition(triggers.matching(ours));
      expect(positions.size).toBe(expected);
      // What both mapped carries one event id and byte-identical bodies.
      for (const { ids, bodies } of positions.values()) {
        expect(ids.size).toBe(1);
        expect(bodies.size).toBe(1);
      }
    } finally {
      await triggers.stop();
    }
  });

  it('builds the store from a 100,000-row Debezium snapshot and sends nothing for it', async () => {
    const rows = 100_000;
    const contract = await connectionsBurst(rows);
    // A connector of the test's own, whose initial snapshot reads those rows into a log of its own.
    const id = randomUUID().slice(0, 8);
    const prefix = `snap${id}`;
    const name = `test-snapshot-${id}`;
    const namespace = await testNamespace(kafka);
    namespaces.push(namespace);
    const admin = kafka.admin();
    await admin.connect();
    await createTestTopic(admin, `${prefix}.changes`);
    const base = withDatabase(loadConnectorConfig(settings), settings.connectErpDatabaseUrl, prefix, settings.connectSecretsFile);
    // Debezium's role creates no publication (publication.autocreate.mode=disabled): the superuser makes the test's own.
    await pool.query(`CREATE PUBLICATION snap_${id} FOR TABLE public.contract_connections, reativa_cdc.debezium_signal`);
    const config = {
      ...base,
      'slot.name': `snap_${id}`,
      'slot.drop.on.stop': 'true',
      'publication.name': `snap_${id}`,
      'table.include.list': 'public.contract_connections',
      'snapshot.include.collection.list': 'public.contract_connections',
      'snapshot.select.statement.overrides': 'public.contract_connections',
      'snapshot.select.statement.overrides.public.contract_connections': `SELECT * FROM public.contract_connections WHERE contract_id = ${contract}`,
    };
    delete (config as Record<string, string>)['heartbeat.action.query'];
    const connect = new ConnectClient(settings.connectUrl);
    await connect.put(name, config);
    const stateDir = tempDir();
    const mapper = await startMapper(kafka, registry, createLogger('warn'), { topicPrefix: prefix, stateDir, topics: namespace.topics, groupId: namespace.groups.mapper });
    const events = triggerReader(kafka, registry, namespace.topics.triggers, 'beginning');
    await events.start();
    try {
      await waitFor(`the ${rows}-row snapshot in the store`, async () => mapper.stats.changes >= rows, { timeoutMs: 180_000, intervalMs: 500 });
      await waitFor('the mapper to commit the whole log', async () => {
        const [end] = await admin.fetchTopicOffsets(`${prefix}.changes`);
        const [group] = await admin.fetchOffsets({ groupId: namespace.groups.mapper, topics: [`${prefix}.changes`] });
        return end !== undefined && group?.partitions[0]?.offset === end.high;
      }, { timeoutMs: 60_000 });
      expect(mapper.store.liveRows('contract_connections')).toBe(rows);
      expect(mapper.stats.events).toBe(0);
      expect(events.records).toHaveLength(0);
    } finally {
      await events.stop();
      await mapper.stop();
      await connect.delete(name);
      await pool.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [`snap_${id}`]).catch(() => undefined);
      await pool.query(`DROP PUBLICATION IF EXISTS snap_${id}`).catch(() => undefined);
      await admin.deleteTopics({ topics: [`${prefix}.changes`] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
