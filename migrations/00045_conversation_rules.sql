-- +goose Up
-- A workspace's conversation rules: a pending conversation (waiting on the
-- customer) resolves on its own after auto_resolve_pending_after_hours
-- without a customer message, and a resolved one closes after
-- auto_close_resolved_after_hours. NULL turns a rule off. A workspace
-- without a row has the defaults (helpdesk.DefaultConversationRules:
-- both off).
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

-- The conversations the rules' sweep reads: only pending and resolved
-- ones, which the close rule keeps few, so the sweep's scan across
-- workspaces stays small however many closed conversations pile up.
CREATE INDEX conversations_rule_clock ON conversations (tenant_id, status, last_message_at, resolved_at)
  WHERE status IN ('pending', 'resolved');

-- +goose Down
DROP INDEX conversations_rule_clock;
DROP TABLE conversation_rules;
