-- Post-due collection (Cobrança Após o Vencimento): what the collector has
-- sent, per namespace, collector (integrator), title and due date. The overdue
-- phase is recorded once acknowledged by Kafka, and the settled phase when the
-- collector is told to stop, so a restart (or another mapper taking over)
-- sends neither twice. Event ids are derived from the same key, so a crash
-- between producing and recording re-sends the same id, which partners drop.
CREATE TABLE reativa.post_due_collections (
  namespace          text NOT NULL,
  integrator_id      bigint NOT NULL,
  title_id           bigint NOT NULL,
  -- The due date collected, as days since 1970-01-01 (as the change log sends a DATE).
  due_day            integer NOT NULL,
  overdue_event_id   text NOT NULL,
  overdue_sent_at    timestamptz NOT NULL DEFAULT now(),
  settled_event_id   text,
  settled_situation  text,
  settled_sent_at    timestamptz,
  PRIMARY KEY (namespace, integrator_id, title_id, due_day)
);

-- The collections under way: read every tick.
CREATE INDEX post_due_collections_ongoing ON reativa.post_due_collections (namespace) WHERE settled_event_id IS NULL;
