-- Parked keys belong to a namespace (REATIVA_NAMESPACE): two environments, or
-- the tests and a running Reativa, share one database without seeing each
-- other's keys. Keys parked before this migration are the default namespace's.
-- A waiting head also records when its retry record falls due, so a key whose
-- record was lost (a crash between moving the head and writing the record) is
-- found within a minute of that time, not hours later.
ALTER TABLE reativa.parked_deliveries DROP CONSTRAINT parked_deliveries_key_fkey;
ALTER TABLE reativa.parked_keys
  ADD COLUMN namespace text NOT NULL DEFAULT 'reativa',
  ADD COLUMN head_due_at timestamptz;
ALTER TABLE reativa.parked_deliveries ADD COLUMN namespace text NOT NULL DEFAULT 'reativa';
ALTER TABLE reativa.parked_keys DROP CONSTRAINT parked_keys_pkey, ADD PRIMARY KEY (namespace, key);
DROP INDEX reativa.parked_deliveries_key_delivery;
DROP INDEX reativa.parked_deliveries_key_seq;
CREATE UNIQUE INDEX parked_deliveries_key_delivery ON reativa.parked_deliveries (namespace, key, delivery_id);
CREATE INDEX parked_deliveries_key_seq ON reativa.parked_deliveries (namespace, key, seq);
ALTER TABLE reativa.parked_deliveries
  ADD CONSTRAINT parked_deliveries_key_fkey FOREIGN KEY (namespace, key) REFERENCES reativa.parked_keys (namespace, key) ON DELETE CASCADE;
ALTER TABLE reativa.parked_keys ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE reativa.parked_deliveries ALTER COLUMN namespace DROP DEFAULT;
DROP INDEX reativa.parked_keys_moved_at;
CREATE INDEX parked_keys_due ON reativa.parked_keys (namespace, head_state, head_due_at);
