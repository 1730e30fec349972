// The roles' grants as SQL: what each role may do, and what it may not.
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/settings.js';
import { CONFIG_WRITER_TABLES, debeziumGrants, readerGrants, rolePlan, roleStatements, writerGrants } from '../../../src/stack/erp-roles.js';

describe('embedded stack roles', () => {
  it('are the users the URLs name; the superuser is left alone', () => {
    expect(rolePlan(loadSettings({}))).toMatchObject({
      superuser: 'reativa', erpDatabase: 'erp', reativaDatabase: 'reativa',
      debezium: 'reativa_debezium', erpReader: 'reativa_app', erpWriter: 'reativa_config', reativaOwner: 'reativa_app',
    });
    const asSuperuser = rolePlan(loadSettings({ REATIVA_ERP_DATABASE_URL: 'postgres://reativa@127.0.0.1:54320/erp' }));
    expect(asSuperuser.erpReader).toBeUndefined();
  });

  it('refuse one role for two kinds of ERP access', () => {
    expect(() => rolePlan(loadSettings({ REATIVA_ERP_ADMIN_DATABASE_URL: 'postgres://reativa_app@127.0.0.1:54320/erp' }))).toThrow(/each needs a role of its own/);
  });

  it('give Debezium replication and nothing else of a superuser', () => {
    const [create, alter] = roleStatements('reativa_debezium', { replication: true, password: "p'w" });
    expect(create).toContain('CREATE ROLE "reativa_debezium" LOGIN');
    expect(alter).toMatch(/NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT REPLICATION PASSWORD 'p''w'/);
    expect(roleStatements('reativa_app', { replication: false, password: null })[1]).toMatch(/NOREPLICATION PASSWORD NULL/);
  });

  it('let Debezium read the captured tables, beat the heartbeat and write signals, after taking back anything older', () => {
    const sql = debeziumGrants('reativa_debezium', 'erp', ['public.webhooks', 'reativa_cdc.heartbeat'], 'reativa_cdc.heartbeat', 'reativa_cdc.debezium_signal').join(';\n');
    expect(sql.indexOf('REVOKE ALL ON ALL TABLES IN SCHEMA public')).toBeLessThan(sql.indexOf('GRANT SELECT'));
    expect(sql).toContain('GRANT SELECT ON "public"."webhooks", "reativa_cdc"."heartbeat" TO "reativa_debezium"');
    expect(sql).toContain('GRANT UPDATE ON "reativa_cdc"."heartbeat"');
    expect(sql).toContain('GRANT INSERT ON "reativa_cdc"."debezium_signal"');
    expect(sql).not.toMatch(/GRANT (CREATE|ALL)/);
  });

  it("let Reativa's runtime role read the secret columns by id, column by column, and nothing else of the ERP", () => {
    const grants = readerGrants('reativa_app', 'erp').filter((s) => s.startsWith('GRANT SELECT'));
    expect(grants).toEqual([
      'GRANT SELECT ("id", "token", "url") ON public."integrators" TO "reativa_app"',
      'GRANT SELECT ("id", "value") ON public."integrator_parameters" TO "reativa_app"',
      'GRANT SELECT ("id", "url") ON public."webhooks" TO "reativa_app"',
      'GRANT SELECT ("id", "value") ON public."webhook_headers" TO "reativa_app"',
      'GRANT SELECT ("id", "value") ON public."webhook_parameters" TO "reativa_app"',
    ]);
  });

  it('let the CLI write the webhook and integrator tables, and read back none of their secret values', () => {
    const readable = new Map([
      ['integrators', ['id', 'alias', 'version', 'url', 'token', 'active']],
      ['webhook_headers', ['id', 'webhook_id', 'name', 'value']],
      ['webhooks', ['id', 'name', 'url']],
    ]);
    const sql = writerGrants('reativa_config', 'erp', readable, ['public.webhooks_id_seq']);
    for (const table of CONFIG_WRITER_TABLES.filter((t) => t !== 'integrator_presets')) expect(sql).toContain(`GRANT INSERT, UPDATE, DELETE ON public."${table}" TO "reativa_config"`);
    // Reativa's own preset bindings live in reativa_cdc, beside the ERP's tables.
    expect(sql).toContain('GRANT USAGE ON SCHEMA "reativa_cdc" TO "reativa_config"');
    expect(sql).toContain('GRANT INSERT, UPDATE, DELETE ON "reativa_cdc"."integrator_presets" TO "reativa_config"');
    expect(sql).toContain('GRANT SELECT ("id", "alias", "version", "url", "active") ON public."integrators" TO "reativa_config"');
    expect(sql).toContain('GRANT SELECT ("id", "webhook_id", "name") ON public."webhook_headers" TO "reativa_config"');
    expect(sql).toContain('GRANT USAGE ON SEQUENCE "public"."webhooks_id_seq" TO "reativa_config"');
  });
});
