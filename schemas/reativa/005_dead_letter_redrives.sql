-- Dead letters sent back by `reativa dlq redrive`, one row per letter: a later
-- redrive skips it (unless --again) and `dlq list` hides it (unless --all).
-- Written right after Kafka acknowledged the records sent (acks=all), so a
-- crash between the two can send those few again. `dlq redrive` and `dlq list`
-- delete rows older than the dead-letter topics' retention whose letter the
-- topic no longer holds.
CREATE TABLE reativa.dead_letter_redrives (
  dlq_topic         text NOT NULL,
  dlq_partition     integer NOT NULL,
  dlq_offset        bigint NOT NULL,
  -- The letter's own Kafka timestamp (epoch ms): a topic deleted and made
  -- again restarts its offsets, and a mark applies to its letter only.
  letter_timestamp  bigint NOT NULL,
  target_topic      text NOT NULL,
  redriven_at       timestamptz NOT NULL DEFAULT now(),
  times             integer NOT NULL DEFAULT 1,
  PRIMARY KEY (dlq_topic, dlq_partition, dlq_offset)
);
CREATE INDEX dead_letter_redrives_redriven_at ON reativa.dead_letter_redrives (redriven_at);
