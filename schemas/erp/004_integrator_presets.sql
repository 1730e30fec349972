-- Reativa's own configuration in the ERP database: which partner preset an
-- integrator follows, by its alias. Written by `reativa webhooks add --preset`
-- and `reativa presets bind` (the CLI's role), captured by Debezium like the
-- ERP's configuration tables, so every Reativa process learns of a binding in
-- change-log order, and it survives restarts with the ERP's own data.
--
-- In reativa_cdc, not public: the ERP's schema holds nothing but the ERP's
-- tables. Keyed by alias rather than by integrator id, and with no foreign key
-- to integrators: the ERP's own deletes and edits of integrators must never be
-- refused because of a table of Reativa's.
CREATE TABLE reativa_cdc.integrator_presets (
  id                bigserial PRIMARY KEY,
  integrator_alias  text NOT NULL UNIQUE,
  preset            text NOT NULL,
  bound_at          timestamptz NOT NULL DEFAULT now()
);

-- Like every captured table: updates and deletes carry the old row.
ALTER TABLE reativa_cdc.integrator_presets REPLICA IDENTITY FULL;
