-- +goose Up
-- SLA: business hours, policies, the deadline clocks of conversations and
-- the record of every breach, all under row-level security.

CREATE TABLE business_hours (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL,
  name         text NOT NULL,
  time_zone    text NOT NULL DEFAULT '',
  always_open  boolean NOT NULL DEFAULT false,
  weekly       jsonb NOT NULL DEFAULT '[]',
  holidays     jsonb NOT NULL DEFAULT '[]',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);

-- Targets are seconds of business time. A policy refers to its business
-- hours; business hours in use cannot be deleted.
CREATE TABLE sla_policies (
  tenant_id            uuid NOT NULL REFERENCES tenants (id),
  id                   uuid NOT NULL,
  name                 text NOT NULL,
  priority             int NOT NULL DEFAULT 0 CHECK (priority >= 0),
  rule                 jsonb NOT NULL DEFAULT '{}',
  first_response_secs  bigint NOT NULL CHECK (first_response_secs > 0),
  next_response_secs   bigint NOT NULL CHECK (next_response_secs > 0),
  resolution_secs      bigint NOT NULL CHECK (resolution_secs > 0),
  warn_at              double precision NOT NULL DEFAULT 0,
  business_hours_id    uuid,
  escalation           jsonb NOT NULL DEFAULT '[]',
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, business_hours_id) REFERENCES business_hours (tenant_id, id)
);
CREATE INDEX sla_policies_order ON sla_policies (tenant_id, priority, created_at, id);

-- One clock per conversation and metric. version grows whenever the
-- clock's instants change, so timers queued for an older version do
-- nothing. paused_for_ms is business time spent in finished pauses.
CREATE TABLE sla_timers (
  tenant_id        uuid NOT NULL,
  conversation_id  uuid NOT NULL,
  metric           text NOT NULL CHECK (metric IN ('first_response', 'next_response', 'resolution')),
  policy_id        uuid NOT NULL,
  target_secs      bigint NOT NULL,
  started_at       timestamptz NOT NULL,
  status           text NOT NULL CHECK (status IN ('running', 'paused', 'stopped', 'breached')),
  due_at           timestamptz,
  warn_at          timestamptz,
  paused_at        timestamptz,
  paused_for_ms    bigint NOT NULL DEFAULT 0,
  stopped_at       timestamptz,
  version          int NOT NULL DEFAULT 1,
  warned_at        timestamptz,
  breached_at      timestamptz,
  lateness_ms      bigint,
  steps_done       int[] NOT NULL DEFAULT '{}',
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, conversation_id, metric),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id)
);
-- The sweep looks for running clocks past their instants, across tenants.
CREATE INDEX sla_timers_due ON sla_timers (due_at) WHERE status = 'running';
CREATE INDEX sla_timers_warn ON sla_timers (warn_at) WHERE status = 'running' AND warned_at IS NULL;

-- Every breach, kept for reports after the clock restarts (next response).
CREATE TABLE sla_breaches (
  tenant_id        uuid NOT NULL,
  id               uuid NOT NULL,
  conversation_id  uuid NOT NULL,
  metric           text NOT NULL,
  policy_id        uuid NOT NULL,
  assignee_id      uuid,
  due_at           timestamptz NOT NULL,
  breached_at      timestamptz NOT NULL,
  lateness_ms      bigint NOT NULL,
  late_by_sweep    boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id)
);
CREATE INDEX sla_breaches_conversation ON sla_breaches (tenant_id, conversation_id);
CREATE INDEX sla_breaches_time ON sla_breaches (tenant_id, breached_at);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['business_hours', 'sla_policies', 'sla_timers', 'sla_breaches'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) '
                   'WITH CHECK (tenant_id = current_tenant_id())', t);
  END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE sla_breaches, sla_timers, sla_policies, business_hours;
