-- +goose Up
-- Inventory: shop connectors, orders with their lines and shipments,
-- variants with stock per location, and the proactive notices sent about
-- them. Every table leads its keys with tenant_id and is guarded by
-- row-level security. An order, variant or stock level belongs to a source:
-- 'push' for the push API, or the id of the connector that brought it.

CREATE TABLE connectors (
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  id                  uuid NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('shopify', 'woocommerce', 'push', 'csv')),
  name                text NOT NULL,
  base_url            text NOT NULL DEFAULT '',
  credentials_sealed  bytea,
  status              text NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'syncing', 'auth_failed', 'error', 'disabled')),
  sync_interval_s     int NOT NULL DEFAULT 300 CHECK (sync_interval_s >= 60),
  -- The sync chain: only the task carrying the current seq runs; a run
  -- holds the lease while it works.
  sync_seq            bigint NOT NULL DEFAULT 0,
  next_sync_at        timestamptz,
  lease_until         timestamptz,
  -- Where the walk under way stands, saved with each page it stores.
  stage               text NOT NULL DEFAULT 'orders' CHECK (stage IN ('orders', 'stock')),
  walk_cursor         text NOT NULL DEFAULT '',
  walk_since          timestamptz,
  walk_max            timestamptz,
  walk_started_at     timestamptz,
  walk_orders         int NOT NULL DEFAULT 0,
  orders_since        timestamptz,
  backfilled_at       timestamptz,
  backfill_total      int,
  backfill_done       int NOT NULL DEFAULT 0,
  orders_synced       bigint NOT NULL DEFAULT 0,
  stock_synced        bigint NOT NULL DEFAULT 0,
  pages_skipped       int NOT NULL DEFAULT 0,
  last_sync_at        timestamptz,
  last_error          text NOT NULL DEFAULT '',
  last_error_at       timestamptz,
  failing_since       timestamptz,
  failures            int NOT NULL DEFAULT 0,
  alerted_at          timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX connectors_list ON connectors (tenant_id, created_at DESC, id DESC);

CREATE TABLE orders (
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  id                    uuid NOT NULL,
  source                text NOT NULL,
  external_id           text NOT NULL,
  number                text NOT NULL DEFAULT '',
  customer_id           uuid,
  customer_email        text NOT NULL DEFAULT '',
  customer_phone        text NOT NULL DEFAULT '',
  customer_external_id  text NOT NULL DEFAULT '',
  customer_name         text NOT NULL DEFAULT '',
  link_state            text NOT NULL DEFAULT 'pending' CHECK (link_state IN ('pending', 'linked', 'none')),
  status                text NOT NULL,
  financial_status      text NOT NULL DEFAULT '',
  fulfillment_status    text NOT NULL DEFAULT '',
  currency              text NOT NULL,
  total_minor           bigint NOT NULL CHECK (total_minor >= 0),
  promised_ship_by      timestamptz,
  shipping_address      jsonb,
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  synced_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, source, external_id)
);
CREATE INDEX orders_list ON orders (tenant_id, created_at DESC, id DESC);
CREATE INDEX orders_customer ON orders (tenant_id, customer_id, created_at DESC);
CREATE INDEX orders_number ON orders (tenant_id, number);
CREATE INDEX orders_unlinked ON orders (tenant_id) WHERE link_state = 'pending';

-- Lines and shipments are written in bulk with their order and removed only
-- by the code that replaces them (orders are never deleted), so they carry
-- no foreign key: its per-row check would cost more than the rows.

CREATE TABLE order_lines (
  tenant_id            uuid NOT NULL,
  order_id             uuid NOT NULL,
  position             int NOT NULL,
  external_id          text NOT NULL DEFAULT '',
  sku                  text NOT NULL DEFAULT '',
  variant_external_id  text NOT NULL DEFAULT '',
  product_external_id  text NOT NULL DEFAULT '',
  title                text NOT NULL DEFAULT '',
  quantity             int NOT NULL CHECK (quantity >= 0),
  price_minor          bigint NOT NULL CHECK (price_minor >= 0),
  PRIMARY KEY (tenant_id, order_id, position)
);

CREATE TABLE shipments (
  tenant_id                 uuid NOT NULL,
  id                        uuid NOT NULL,
  order_id                  uuid NOT NULL,
  external_id               text NOT NULL,
  carrier                   text NOT NULL DEFAULT '',
  tracking_number           text NOT NULL DEFAULT '',
  status                    text NOT NULL DEFAULT '',
  shipped_at                timestamptz,
  estimated_delivery        timestamptz,
  first_estimated_delivery  timestamptz,
  last_event_at             timestamptz,
  updated_at                timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, order_id, external_id)
);

-- A variant is keyed within its source by the shop's variant id, or its SKU
-- when the source has no ids (CSV, push).
CREATE TABLE variants (
  tenant_id            uuid NOT NULL REFERENCES tenants (id),
  id                   uuid NOT NULL,
  source               text NOT NULL,
  variant_key          text NOT NULL,
  sku                  text NOT NULL DEFAULT '',
  variant_external_id  text NOT NULL DEFAULT '',
  product_external_id  text NOT NULL DEFAULT '',
  inventory_item_id    text NOT NULL DEFAULT '',
  title                text NOT NULL DEFAULT '',
  created_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, source, variant_key)
);
CREATE INDEX variants_sku ON variants (tenant_id, sku);
CREATE INDEX variants_item ON variants (tenant_id, source, inventory_item_id) WHERE inventory_item_id <> '';
CREATE INDEX variants_list ON variants (tenant_id, created_at DESC, id DESC);

CREATE TABLE stock_levels (
  tenant_id   uuid NOT NULL,
  variant_id  uuid NOT NULL,
  location    text NOT NULL DEFAULT '',
  available   int NOT NULL CHECK (available >= 0),
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, variant_id, location),
  FOREIGN KEY (tenant_id, variant_id) REFERENCES variants (tenant_id, id) ON DELETE CASCADE
);

-- One row per cause told to a customer: the unique key is what makes a
-- cause told once.
CREATE TABLE proactive_notices (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  id               uuid NOT NULL,
  cause            text NOT NULL,
  kind             text NOT NULL,
  order_id         uuid,
  customer_id      uuid NOT NULL,
  conversation_id  uuid,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, cause)
);

-- Per-workspace state of the proactive scan's self-rescheduling chain.
CREATE TABLE inventory_schedules (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  job           text NOT NULL,
  seq           bigint NOT NULL DEFAULT 0,
  next_run_at   timestamptz,
  last_run_at   timestamptz,
  PRIMARY KEY (tenant_id, job)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['connectors', 'orders', 'order_lines', 'shipments', 'variants',
                           'stock_levels', 'proactive_notices', 'inventory_schedules'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) '
                   'WITH CHECK (tenant_id = current_tenant_id())', t);
  END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE inventory_schedules, proactive_notices, stock_levels, variants, shipments, order_lines, orders, connectors;
