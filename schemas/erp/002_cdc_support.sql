-- Tables Debezium needs beside the ERP's own, kept in a schema of their own so
-- the ERP's `public` schema holds nothing but ERP tables.
CREATE SCHEMA IF NOT EXISTS reativa_cdc;

-- Debezium source signals (ad-hoc snapshots, pause/resume): signal.data.collection.
CREATE TABLE reativa_cdc.debezium_signal (
  id    varchar(42) PRIMARY KEY,
  type  varchar(32) NOT NULL,
  data  varchar(2048)
);

-- Written by the connector's heartbeat.action.query so the replication slot
-- advances even when the captured tables are quiet (otherwise WAL piles up).
CREATE TABLE reativa_cdc.heartbeat (
  id       smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  beat_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO reativa_cdc.heartbeat (id) VALUES (1);
