-- +goose Up
-- A workspace's conversation rules: a pending conversation (waiting on the
-- customer) resolves on its own after auto_resolve_pending_after_hours
-- without a customer message, and a resolved one closes after
-- auto_close_resolved_after_hours. NULL turns a rule off; a workspace
-- without a row has both off. The sweep's indexes are in 00046.
CREATE TABLE conversation_rules (
  tenant_id                         uuid NOT NULL REFERENCES tenants (id),
  auto_resolve_pending_after_hours  int CHECK (auto_resolve_pending_after_hours BETWEEN 1 AND 8760),
  auto_close_resolved_after_hours   int CHECK (auto_close_resolved_after_hours BETWEEN 1 AND 8760),
  updated_at                        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);

ALTER TABLE conversation_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversation_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON conversation_rules USING (tenant_id = current_tenant_id())
  WITH CHECK (tenant_id = current_tenant_id());

-- +goose Down
DROP TABLE conversation_rules;
