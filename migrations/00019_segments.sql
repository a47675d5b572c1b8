-- +goose Up
-- Differentiated service: customer value segments (RFM) computed from
-- synced orders, their history, the account manager of a customer, gold
-- (VIP lane) agents, and compensation granted
-- within each role's authority.

ALTER TABLE customers
  ADD COLUMN high_frequency      boolean NOT NULL DEFAULT false,
  ADD COLUMN rfm_recency         smallint NOT NULL DEFAULT 0,
  ADD COLUMN rfm_frequency       smallint NOT NULL DEFAULT 0,
  ADD COLUMN rfm_monetary        smallint NOT NULL DEFAULT 0,
  ADD COLUMN yearly_spend_minor  bigint NOT NULL DEFAULT 0,
  ADD COLUMN orders_recent       int NOT NULL DEFAULT 0,
  ADD COLUMN last_order_at       timestamptz,
  ADD COLUMN segment_at          timestamptz,
  ADD COLUMN account_manager_id  uuid;
CREATE INDEX customers_segment ON customers (tenant_id, segment) WHERE merged_into IS NULL;

ALTER TABLE agent_profiles ADD COLUMN gold boolean NOT NULL DEFAULT false;

-- A workspace's tier thresholds, in minor units of its currency: high
-- value from high_value_min on, core from core_min up to high_value_min,
-- mass below. No row: the defaults (CNY 20,000 and 5,000, 3 orders in 30
-- days).
CREATE TABLE segment_settings (
  tenant_id              uuid NOT NULL REFERENCES tenants (id),
  currency               text NOT NULL DEFAULT 'CNY',
  high_value_min         bigint NOT NULL,
  core_min               bigint NOT NULL,
  high_frequency_orders  int NOT NULL,
  high_frequency_days    int NOT NULL,
  updated_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id),
  CHECK (core_min > 0 AND core_min < high_value_min)
);

-- When and why a customer's segment or high-frequency flag changed.
CREATE TABLE customer_segment_changes (
  tenant_id            uuid NOT NULL,
  id                   uuid NOT NULL,
  customer_id          uuid NOT NULL,
  from_segment         text NOT NULL,
  to_segment           text NOT NULL,
  from_high_frequency  boolean NOT NULL,
  to_high_frequency    boolean NOT NULL,
  reason               text NOT NULL,
  yearly_spend_minor   bigint NOT NULL,
  orders_recent        int NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX customer_segment_changes_customer ON customer_segment_changes (tenant_id, customer_id, created_at DESC);

-- Per role (agent, senior, owner) limits per grant and per day, minor
-- units of the workspace's segment currency; -1 is unlimited. No row: the
-- defaults.
CREATE TABLE compensation_limits (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  role        text NOT NULL CHECK (role IN ('agent', 'senior', 'owner')),
  per_grant   bigint NOT NULL CHECK (per_grant >= -1),
  per_day     bigint NOT NULL CHECK (per_day >= -1),
  PRIMARY KEY (tenant_id, role)
);

CREATE TABLE compensations (
  tenant_id        uuid NOT NULL,
  id               uuid NOT NULL,
  conversation_id  uuid NOT NULL,
  customer_id      uuid NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('refund_partial', 'coupon', 'gift', 'free_shipping', 'points')),
  amount_minor     bigint NOT NULL CHECK (amount_minor > 0),
  currency         text NOT NULL,
  reason           text NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending_approval', 'approved', 'rejected')),
  over_limit       boolean NOT NULL DEFAULT false,
  granted_by       uuid NOT NULL,
  decided_by       uuid,
  decided_at       timestamptz,
  decision_note    text NOT NULL DEFAULT '',
  -- Where an approved grant stands in the shop: pending (a job will run),
  -- executed (done there, ref), manual (to fulfil by hand), failed.
  execution        text NOT NULL DEFAULT 'none' CHECK (execution IN ('none', 'pending', 'executed', 'manual', 'failed')),
  execution_ref    text NOT NULL DEFAULT '',
  execution_error  text NOT NULL DEFAULT '',
  executed_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id)
);
CREATE INDEX compensations_conversation ON compensations (tenant_id, conversation_id, created_at);
CREATE INDEX compensations_customer ON compensations (tenant_id, customer_id, created_at DESC);

-- What each person granted per day: the row a grant locks, so concurrent
-- grants take turns and cannot pass the daily limit together.
CREATE TABLE compensation_days (
  tenant_id     uuid NOT NULL,
  user_id       uuid NOT NULL,
  day           date NOT NULL,
  granted_minor bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, user_id, day)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['segment_settings', 'customer_segment_changes', 'compensation_limits', 'compensations',
                           'compensation_days'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) '
                   'WITH CHECK (tenant_id = current_tenant_id())', t);
  END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE compensation_days, compensations, compensation_limits, customer_segment_changes, segment_settings;
ALTER TABLE agent_profiles DROP COLUMN gold;
DROP INDEX customers_segment;
ALTER TABLE customers DROP COLUMN high_frequency, DROP COLUMN rfm_recency, DROP COLUMN rfm_frequency,
  DROP COLUMN rfm_monetary, DROP COLUMN yearly_spend_minor, DROP COLUMN orders_recent, DROP COLUMN last_order_at,
  DROP COLUMN segment_at, DROP COLUMN account_manager_id;
