-- +goose Up
-- Billing: each workspace's subscription state, the Stripe events received
-- for it, and metered usage counted in hourly buckets with what of each
-- bucket was reported to Stripe. tenants.plan stays the effective plan that
-- every domain reads; billing keeps it in step with the subscription.

CREATE TABLE billing_accounts (
  tenant_id               uuid NOT NULL REFERENCES tenants (id),
  stripe_customer_id      text,
  stripe_subscription_id  text,
  metered_item_id         text,          -- the subscription item usage is reported on
  plan                    text NOT NULL DEFAULT 'free',  -- the plan subscribed to
  billing_interval        text NOT NULL DEFAULT '',      -- month or year
  status                  text NOT NULL DEFAULT 'none'
                          CHECK (status IN ('none', 'trialing', 'active', 'past_due', 'canceled', 'demo')),
  current_period_start    timestamptz,
  current_period_end      timestamptz,
  trial_end               timestamptz,
  cancel_at_period_end    boolean NOT NULL DEFAULT false,
  grace_until             timestamptz,   -- past_due: features kept until then
  overage                 boolean NOT NULL DEFAULT false, -- the owner opted in to billed AI overage
  quota_notified_period   timestamptz,   -- the period whose AI quota the owners were told of
  updated_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);
CREATE INDEX billing_accounts_customer ON billing_accounts (stripe_customer_id);

-- Stripe events, stored raw when acknowledged and applied by a task.
CREATE TABLE billing_events (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           text NOT NULL,          -- Stripe's event id
  type         text NOT NULL,
  payload      jsonb NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  applied_at   timestamptz,
  outcome      text NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, id)
);

-- Events that name no workspace of ours: kept for the operator (a
-- platform table, read and written on the system path only).
CREATE TABLE billing_unrouted_events (
  id           text PRIMARY KEY,
  type         text NOT NULL,
  payload      jsonb NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);

-- Usage per workspace, meter and hour, counted in the transaction of the
-- work; billable is the part over the plan's quota.
CREATE TABLE usage_buckets (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  meter         text NOT NULL,
  bucket_start  timestamptz NOT NULL,
  quantity      bigint NOT NULL DEFAULT 0,
  billable      bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, meter, bucket_start)
);

-- What was reported to Stripe for a closed bucket (one usage record each,
-- under an idempotency key of workspace, item and bucket).
CREATE TABLE usage_reports (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  meter         text NOT NULL,
  bucket_start  timestamptz NOT NULL,
  item_id       text NOT NULL,
  quantity      bigint NOT NULL,
  record_id     text NOT NULL DEFAULT '',
  reported_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, meter, bucket_start)
);

-- A connector paused because the plan no longer covers it comes back on
-- upgrade; one its owner disabled stays disabled.
ALTER TABLE connectors ADD COLUMN plan_paused boolean NOT NULL DEFAULT false;

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['billing_accounts', 'billing_events', 'usage_buckets', 'usage_reports'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) '
                   'WITH CHECK (tenant_id = current_tenant_id())', t);
  END LOOP;
END $$;
-- +goose StatementEnd
-- The unrouted events are the platform's: the application role never sees them.
REVOKE ALL ON billing_unrouted_events FROM deskpool_app;

-- +goose Down
ALTER TABLE connectors DROP COLUMN plan_paused;
DROP TABLE usage_reports, usage_buckets, billing_unrouted_events, billing_events, billing_accounts;
