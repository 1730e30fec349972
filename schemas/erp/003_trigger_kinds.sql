-- Reference ERP schema, part 3: what the trigger kinds beyond contracts and the
-- standard integration read (docs/erp-schema.md): accounting (Granner) and SAP
-- over people, fiscal documents, titles payable and receivable, paid titles,
-- financial movements, financial natures and ledger accounts; CRM leads
-- (Dinamize); billing types with automatic receivables integration (Finee,
-- 7AZ); the tenant a solicitation belongs to (OZNeutral). Names are a contract:
-- columns may be added, none renamed. Every table here is captured, so it has
-- REPLICA IDENTITY FULL like the others (updates and deletes carry the old row).

-- Registers that may be shared by every branch carry the branch they belong
-- to when there is one; a body of such a row without it has no CompanyId.
ALTER TABLE people ADD COLUMN company_id bigint REFERENCES companies(id);

-- Tipo de cobrança: "Integração Automática de Recebíveis" and its integrator.
CREATE TABLE billing_types (
  id                            bigserial PRIMARY KEY,
  title                         text NOT NULL,
  auto_receivables_integration  boolean NOT NULL DEFAULT false,
  integrator_id                 bigint REFERENCES integrators(id)
);

ALTER TABLE receivable_titles ADD COLUMN billing_type_id bigint REFERENCES billing_types(id);

-- The neutral-network tenant (an integrator) a solicitation belongs to.
ALTER TABLE solicitations ADD COLUMN integrator_id bigint REFERENCES integrators(id);

-- Naturezas Financeiras.
CREATE TABLE financial_natures (
  id           bigserial PRIMARY KEY,
  company_id   bigint REFERENCES companies(id),
  code         text NOT NULL,
  description  text NOT NULL,
  direction    text NOT NULL CHECK (direction IN ('revenue', 'expense'))
);

-- Contas Contábeis (plano de contas), a tree.
CREATE TABLE ledger_accounts (
  id           bigserial PRIMARY KEY,
  company_id   bigint REFERENCES companies(id),
  code         text NOT NULL,
  description  text NOT NULL,
  parent_id    bigint REFERENCES ledger_accounts(id)
);

-- Nota Fiscal: NFS-e (services), NF-e, NFCom.
CREATE TABLE fiscal_documents (
  id                      bigserial PRIMARY KEY,
  company_id              bigint NOT NULL REFERENCES companies(id),
  contract_id             bigint REFERENCES contracts(id),
  client_id               bigint NOT NULL REFERENCES people(id),
  document_type           text NOT NULL CHECK (document_type IN ('nfse', 'nfe', 'nfcom')),
  number                  text NOT NULL,
  series                  text,
  issue_date              date NOT NULL,
  amount                  numeric(12,2) NOT NULL,
  status                  text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'authorized', 'rejected', 'cancelled')),
  authorization_protocol  text,
  authorized_at           timestamptz
);

-- Títulos a Pagar.
CREATE TABLE payable_titles (
  id                   bigserial PRIMARY KEY,
  company_id           bigint NOT NULL REFERENCES companies(id),
  supplier_id          bigint NOT NULL REFERENCES people(id),
  title_number         text NOT NULL,
  issue_date           date NOT NULL,
  due_date             date NOT NULL,
  amount               numeric(12,2) NOT NULL,
  status               text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'cancelled')),
  financial_nature_id  bigint REFERENCES financial_natures(id)
);

-- Títulos Pagos: payments of titles payable.
CREATE TABLE title_payments (
  id                bigserial PRIMARY KEY,
  payable_title_id  bigint NOT NULL REFERENCES payable_titles(id),
  payment_date      date NOT NULL,
  amount_paid       numeric(12,2) NOT NULL,
  payment_method    text
);

-- Movimentação Financeira.
CREATE TABLE financial_movements (
  id                   bigserial PRIMARY KEY,
  company_id           bigint NOT NULL REFERENCES companies(id),
  bank_account         text NOT NULL,
  movement_date        date NOT NULL,
  direction            text NOT NULL CHECK (direction IN ('credit', 'debit')),
  amount               numeric(12,2) NOT NULL,
  financial_nature_id  bigint REFERENCES financial_natures(id),
  description          text
);

-- CRM leads (Dinamize).
CREATE TABLE crm_leads (
  id          bigserial PRIMARY KEY,
  company_id  bigint NOT NULL REFERENCES companies(id),
  name        text NOT NULL,
  email       text,
  phone       text,
  cell_phone  text,
  stage       text NOT NULL DEFAULT 'new' CHECK (stage IN ('new', 'qualified', 'converted', 'lost')),
  source      text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'billing_types', 'financial_natures', 'ledger_accounts', 'fiscal_documents',
    'payable_titles', 'title_payments', 'financial_movements', 'crm_leads']
  LOOP
    EXECUTE format('ALTER TABLE public.%I REPLICA IDENTITY FULL', t);
  END LOOP;
END $$;
