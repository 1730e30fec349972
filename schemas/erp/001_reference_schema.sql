-- Reference ERP schema: stands for the real ERP in the demo and in every test.
-- Table and column names are the contract documented in docs/erp-schema.md:
-- add columns when a feature needs them, never rename.
-- Every captured table has REPLICA IDENTITY FULL so Debezium sees the whole
-- before-image on update and delete (deleted rows are described from it).

CREATE TABLE companies (
  id      bigserial PRIMARY KEY,
  name    text NOT NULL,
  tx_id   text NOT NULL -- CNPJ, 99.999.999/9999-99
);

CREATE TABLE people (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL,
  tx_id       text,      -- CPF or CNPJ
  email       text,
  phone       text,
  cell_phone  text
);

-- "Utilizar Webhook" / "Utiliza Streaming" (Configurações / Parâmetros, Service Desk)
CREATE TABLE erp_parameters (
  key    text PRIMARY KEY,
  value  text NOT NULL
);

CREATE TABLE integrators (
  id                bigserial PRIMARY KEY,
  alias             text NOT NULL UNIQUE,
  description       text,
  integration_type  text NOT NULL DEFAULT 'reactive',
  version           smallint NOT NULL,
  url               text,
  token             text,
  active            boolean NOT NULL DEFAULT true
);

CREATE TABLE integrator_parameters (
  id             bigserial PRIMARY KEY,
  integrator_id  bigint NOT NULL REFERENCES integrators(id) ON DELETE CASCADE,
  name           text NOT NULL,
  value          text
);

CREATE TABLE service_products (
  id                bigserial PRIMARY KEY,
  title             text NOT NULL,
  uses_streaming    boolean NOT NULL DEFAULT false,
  integrator_id     bigint REFERENCES integrators(id),
  integration_code  text
);

CREATE TABLE contracts (
  id               bigserial PRIMARY KEY,
  company_id       bigint NOT NULL REFERENCES companies(id),
  client_id        bigint NOT NULL REFERENCES people(id),
  contract_number  text NOT NULL,
  stage            text NOT NULL DEFAULT 'pre_contract'
    CHECK (stage IN ('pre_contract', 'in_approval', 'approved', 'cancelled')),
  status           text NOT NULL DEFAULT 'normal'
    CHECK (status IN ('normal', 'demonstration', 'courtesy', 'suspended',
                      'financial_block', 'cancelled', 'ended')),
  billing_period   smallint,
  negotiation_id   text,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contract_services (
  id                  bigserial PRIMARY KEY,
  contract_id         bigint NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
  service_product_id  bigint NOT NULL REFERENCES service_products(id),
  created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE patrimonies (
  id                bigserial PRIMARY KEY,
  serial_number     text NOT NULL,
  description       text,
  integrator_id     bigint REFERENCES integrators(id),
  integration_code  text
);

CREATE TABLE contract_patrimonies (
  id            bigserial PRIMARY KEY,
  contract_id   bigint NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
  patrimony_id  bigint NOT NULL REFERENCES patrimonies(id),
  linked_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contract_connections (
  id           bigserial PRIMARY KEY,
  contract_id  bigint NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
  login        text NOT NULL,
  ip_address   inet,
  mac_address  text,
  active       boolean NOT NULL DEFAULT true
);

CREATE TABLE solicitations (
  id           bigserial PRIMARY KEY,
  company_id   bigint NOT NULL REFERENCES companies(id),
  contract_id  bigint REFERENCES contracts(id),
  client_id    bigint NOT NULL REFERENCES people(id),
  protocol     text NOT NULL,
  subject      text,
  status       text NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'in_progress', 'closed', 'cancelled'))
);

CREATE TABLE reports (
  id               bigserial PRIMARY KEY,
  solicitation_id  bigint NOT NULL REFERENCES solicitations(id) ON DELETE CASCADE,
  description      text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE receivable_titles (
  id            bigserial PRIMARY KEY,
  company_id    bigint NOT NULL REFERENCES companies(id),
  contract_id   bigint REFERENCES contracts(id),
  client_id     bigint NOT NULL REFERENCES people(id),
  title_number  text NOT NULL,
  issue_date    date NOT NULL,
  due_date      date NOT NULL,
  amount        numeric(12,2) NOT NULL,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'cancelled'))
);

CREATE TABLE title_receipts (
  id                   bigserial PRIMARY KEY,
  receivable_title_id  bigint NOT NULL REFERENCES receivable_titles(id),
  receipt_date         date NOT NULL,
  amount_paid          numeric(12,2) NOT NULL,
  payment_method       text
);

CREATE TABLE electronic_signatures (
  id           bigserial PRIMARY KEY,
  contract_id  bigint NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
  code         text NOT NULL,
  signer_name  text NOT NULL,
  email        text,
  phone        text,
  url          text,
  status       smallint NOT NULL CHECK (status BETWEEN 1 AND 8)
);

CREATE TABLE webhooks (
  id             bigserial PRIMARY KEY,
  name           text NOT NULL,
  integrator_id  bigint REFERENCES integrators(id),
  http_method    text NOT NULL DEFAULT 'POST',
  url            text NOT NULL,
  max_attempts   integer NOT NULL DEFAULT 5,
  alert_emails   text,
  trigger_kind   text NOT NULL,
  active         boolean NOT NULL DEFAULT true,
  activated_at   timestamptz
);

CREATE TABLE webhook_headers (
  id          bigserial PRIMARY KEY,
  webhook_id  bigint NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  name        text NOT NULL,
  value       text
);

CREATE TABLE webhook_parameters (
  id          bigserial PRIMARY KEY,
  webhook_id  bigint NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  name        text NOT NULL,
  value       text
);

CREATE TABLE webhook_triggers (
  id          bigserial PRIMARY KEY,
  webhook_id  bigint NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  entity      text NOT NULL,
  action      text NOT NULL
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'companies', 'people', 'erp_parameters', 'integrators', 'integrator_parameters',
    'service_products', 'contracts', 'contract_services', 'patrimonies',
    'contract_patrimonies', 'contract_connections', 'solicitations', 'reports',
    'receivable_titles', 'title_receipts', 'electronic_signatures', 'webhooks',
    'webhook_headers', 'webhook_parameters', 'webhook_triggers']
  LOOP
    EXECUTE format('ALTER TABLE public.%I REPLICA IDENTITY FULL', t);
  END LOOP;
END $$;

-- The prerequisites start off, as on a fresh ERP: the operator turns them on.
INSERT INTO erp_parameters (key, value) VALUES ('use_webhooks', 'false'), ('use_streaming', 'false');
