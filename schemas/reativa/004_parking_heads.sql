-- Parked keys keep their head's state, so every change of head is a
-- compare-and-set and nothing depends on which process holds a retry record:
--   head_attempt  the attempt the head's retry record waits for (1 while a drain sends it);
--   head_state    'waiting' (its retry record is in a retry topic) or 'sending'
--                 (a drain took it from the queue and is sending it);
--   head_record   the head's record as routed, so a key whose retry record was
--                 lost (or whose drain died) is sent again from here;
--   moved_at      when the head last changed, to find keys that stopped moving.
-- A delivery queues behind a key once, however often its record is read.
ALTER TABLE reativa.parked_keys
  ADD COLUMN head_attempt integer NOT NULL DEFAULT 0,  -- 0: parked before this migration, attempt unknown
  ADD COLUMN head_state text NOT NULL DEFAULT 'waiting' CHECK (head_state IN ('waiting', 'sending')),
  ADD COLUMN head_record bytea,
  ADD COLUMN moved_at timestamptz NOT NULL DEFAULT now();

DELETE FROM reativa.parked_deliveries a USING reativa.parked_deliveries b
  WHERE a.key = b.key AND a.delivery_id = b.delivery_id AND a.seq > b.seq;
CREATE UNIQUE INDEX parked_deliveries_key_delivery ON reativa.parked_deliveries (key, delivery_id);
CREATE INDEX parked_keys_moved_at ON reativa.parked_keys (moved_at);
