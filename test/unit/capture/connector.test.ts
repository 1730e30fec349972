import { describe, expect, it } from 'vitest';
import { loadConnectorConfig, tablesToSnapshot, withDatabase } from '../../../src/capture/connector.js';
import { CAPTURED_TABLES, changeLogTopic, schemaOf, SECRET_COLUMNS, secretColumnExcludeList } from '../../../src/capture/tables.js';
import { changeLogSpec } from '../../../src/kafka/topics.js';
import { loadSettings } from '../../../src/settings.js';

describe('connector configuration', () => {
  const config = loadConnectorConfig(loadSettings({}));

  it('takes database endpoints from the ERP database URL, and the password from a file Connect reads', () => {
    const c = withDatabase(config, 'postgres://cdc:s%40cret@erp-db:6543/erp_prod', 'erp', '/etc/connect/erp.properties');
    expect(c).toMatchObject({ 'database.hostname': 'erp-db', 'database.port': '6543', 'database.user': 'cdc', 'database.dbname': 'erp_prod' });
    // A FileConfigProvider reference, resolved by the worker: the password itself is never in the connector's configuration.
    expect(c['database.password']).toBe('${file:/etc/connect/erp.properties:password}');
    expect(JSON.stringify(c)).not.toContain('s@cret');
  });

  it("connects as Debezium's own role, from its settings, with the password from the stack's secrets file", () => {
    const settings = loadSettings({}, '/srv/reativa');
    expect(config['database.user']).toBe('reativa_debezium');
    expect(loadConnectorConfig(settings)['database.password']).toBe('${file:/srv/reativa/.stack/secrets/connect-erp.properties:password}');
  });

  it('leaves every secret column out of the change events, and creates no publication of its own', () => {
    expect(config['column.exclude.list']).toBe(secretColumnExcludeList());
    const excluded = config['column.exclude.list']!.split(',').map((pattern) => new RegExp(`^${pattern}$`));
    for (const [table, columns] of Object.entries(SECRET_COLUMNS)) {
      for (const column of columns) expect(excluded.some((r) => r.test(`public.${table}.${column}`)), `public.${table}.${column}`).toBe(true);
    }
    expect(excluded.some((r) => r.test('public.webhook_headers.name'))).toBe(false);
    // The stack creates the publication as the superuser (src/stack/erp-roles.ts): Debezium's role needs no CREATE.
    expect(config['publication.autocreate.mode']).toBe('disabled');
  });

  it('captures exactly the reference ERP tables, and snapshots every one of them into the state', () => {
    // Each table in its own schema: the ERP's in public, Reativa's own configuration in reativa_cdc.
    const qualified = CAPTURED_TABLES.map((t) => `${schemaOf(t)}.${t}`).sort();
    const included = config['table.include.list']!.split(',').filter((t) => !['reativa_cdc.heartbeat', 'reativa_cdc.debezium_signal'].includes(t));
    expect(included.sort()).toEqual(qualified);
    expect(config['snapshot.include.collection.list']!.split(',').sort()).toEqual(qualified);
    expect(config).toMatchObject({ 'plugin.name': 'pgoutput', 'decimal.handling.mode': 'string', 'tombstones.on.delete': 'true' });
  });

  it('routes every captured table, in commit order, to the one change log, keys keeping their table', () => {
    expect(config).toMatchObject({
      'transforms.changelog.type': 'io.debezium.transforms.ByLogicalTableRouter',
      'transforms.changelog.topic.replacement': changeLogTopic('erp'),
      'transforms.changelog.key.enforce.uniqueness': 'true',
    });
    const routed = new RegExp(`^${config['transforms.changelog.topic.regex']}$`);
    expect(routed.test('erp.public.contracts')).toBe(true);
    expect(routed.test('erp.reativa_cdc.heartbeat')).toBe(true);
    expect(routed.test('__debezium-heartbeat.erp')).toBe(false);
  });

  it('follows a renamed topic prefix', () => {
    const c = withDatabase(config, 'postgres://u@h:1/erp', 'isp1', '/s');
    expect(c['topic.prefix']).toBe('isp1');
    expect(c['transforms.changelog.topic.replacement']).toBe('isp1.changes');
    expect(new RegExp(`^${c['transforms.changelog.topic.regex']}$`).test('isp1.public.contracts')).toBe(true);
  });

  it('agrees with the catalogue: the change log has one partition and keeps its history before compacting', () => {
    const spec = changeLogSpec('erp', 7 * 86_400_000);
    expect(spec).toMatchObject({ topic: 'erp.changes', numPartitions: 1 });
    const entries = Object.fromEntries(spec.configEntries.map((e) => [e.name, e.value]));
    expect(entries).toMatchObject({ 'cleanup.policy': 'compact', 'min.compaction.lag.ms': String(7 * 86_400_000) });
  });
});

describe('re-snapshots after a configuration change', () => {
  const next = loadConnectorConfig(loadSettings({}));
  it('none for a first registration or an unchanged one', () => {
    expect(tablesToSnapshot(undefined, next)).toEqual([]);
    expect(tablesToSnapshot(next, next)).toEqual([]);
  });
  it('the tables newly captured, or all of them when the old connector wrote per-table topics', () => {
    const withoutPeople = { ...next, 'table.include.list': next['table.include.list']!.replace('public.people,', '') };
    expect(tablesToSnapshot(withoutPeople, next)).toEqual(['public.people']);
    const { 'transforms.changelog.type': _t, ...perTable } = next;
    expect(tablesToSnapshot(perTable, next)).toHaveLength(CAPTURED_TABLES.length);
  });
});
