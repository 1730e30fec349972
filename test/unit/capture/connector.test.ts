import { describe, expect, it } from 'vitest';
import { loadConnectorConfig, withDatabase } from '../../../src/capture/connector.js';
import { CAPTURED_TABLES, CONFIGURATION_TABLES } from '../../../src/capture/tables.js';
import { changeTopicSpecs } from '../../../src/kafka/topics.js';
import { loadSettings } from '../../../src/settings.js';

describe('connector configuration', () => {
  const config = loadConnectorConfig(loadSettings({}));

  it('takes database endpoints from the ERP database URL', () => {
    const c = withDatabase(config, 'postgres://cdc:s%40cret@erp-db:6543/erp_prod', 'erp');
    expect(c).toMatchObject({ 'database.hostname': 'erp-db', 'database.port': '6543', 'database.user': 'cdc', 'database.password': 's@cret', 'database.dbname': 'erp_prod' });
  });

  it('follows a renamed topic prefix in topic-creation rules', () => {
    const c = withDatabase(config, 'postgres://u@h:1/erp', 'isp1');
    expect(c['topic.prefix']).toBe('isp1');
    expect(c['topic.creation.configuration.include']).toMatch(/^isp1\\\.public\\\./);
  });

  it('captures exactly the reference ERP tables, and snapshots only configuration tables', () => {
    const included = config['table.include.list']!.split(',').filter((t) => t.startsWith('public.'));
    expect(included.map((t) => t.slice('public.'.length)).sort()).toEqual([...CAPTURED_TABLES].sort());
    expect(config['snapshot.include.collection.list']!.split(',').map((t) => t.slice('public.'.length)).sort()).toEqual([...CONFIGURATION_TABLES].sort());
    expect(config).toMatchObject({ 'plugin.name': 'pgoutput', 'decimal.handling.mode': 'string', 'tombstones.on.delete': 'false', 'publication.autocreate.mode': 'filtered' });
  });

  it('compacts the configuration topics, in Connect and in our catalogue alike', () => {
    const include = new RegExp(`^${config['topic.creation.configuration.include']}$`);
    for (const spec of changeTopicSpecs('erp')) {
      const table = spec.topic.split('.').pop()!;
      const isConfig = (CONFIGURATION_TABLES as readonly string[]).includes(table);
      expect(include.test(spec.topic)).toBe(isConfig);
      expect(spec.configEntries.find((e) => e.name === 'cleanup.policy')?.value).toBe(isConfig ? 'compact' : 'delete');
    }
  });
});
