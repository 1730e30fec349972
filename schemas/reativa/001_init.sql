-- Reativa's own state. Empty for now: the attempt log and other tables arrive
-- with the features that need them. This file pins the schema's existence.
CREATE SCHEMA IF NOT EXISTS reativa;
