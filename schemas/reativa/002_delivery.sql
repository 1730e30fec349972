-- Delivery state that must survive a restart and be shared by every delivery
-- process: which (webhook, contract) keys are parked behind a delivery waiting
-- in a retry topic, the deliveries queued behind each, and the attempt log.

-- A key is parked while its head delivery waits in a retry topic; later
-- deliveries for the key queue here, in arrival order, and go out once the
-- head succeeds or is dead-lettered. Row locks on parked_keys serialise the
-- main consumer (which queues) and the retry consumer (which drains).
CREATE TABLE reativa.parked_keys (
  key               text PRIMARY KEY,
  head_delivery_id  text NOT NULL,
  parked_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reativa.parked_deliveries (
  seq          bigserial PRIMARY KEY,
  key          text NOT NULL REFERENCES reativa.parked_keys(key) ON DELETE CASCADE,
  delivery_id  text NOT NULL,
  record       bytea NOT NULL,          -- the Avro record as it came from reativa.deliveries
  queued_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX parked_deliveries_key_seq ON reativa.parked_deliveries (key, seq);

-- Every attempt, written in batches off the hot path; never a secret.
CREATE TABLE reativa.delivery_attempts (
  id                bigserial PRIMARY KEY,
  delivery_id       text NOT NULL,
  event_id          text NOT NULL,
  webhook_id        bigint NOT NULL,
  contract_id       bigint,
  attempt           integer NOT NULL,
  attempted_at      timestamptz NOT NULL,
  outcome           text NOT NULL CHECK (outcome IN ('success', 'retryable', 'permanent')),
  status            integer,
  latency_ms        integer NOT NULL,
  error             text,
  response_excerpt  text
);
CREATE INDEX delivery_attempts_delivery ON reativa.delivery_attempts (delivery_id);
CREATE INDEX delivery_attempts_time ON reativa.delivery_attempts (attempted_at);
