-- +goose Up
-- The conversation rules' sweep, run each minute by every worker, looks
-- for the workspaces with a conversation due. conversations_rule_clock
-- (00045) held every pending and resolved conversation with the resolved
-- clock last, so that search read them all, workspace after workspace,
-- pending ones no rule resolves (the resolve rule is off by default, so
-- they pile up) included: on 1,000,000 conversations of 2,000 brands, a
-- parallel scan of the whole table, 52,000 buffers and 300 ms a minute
-- per worker. Each rule's clock is now indexed on its own, led by the
-- workspace, so each workspace's oldest conversation on a clock is one
-- probe (2,000 brands: 4,600 buffers, 14 ms), and the pending index holds
-- only the conversations that wait on the customer.
DROP INDEX conversations_rule_clock;
CREATE INDEX conversations_resolved_clock ON conversations (tenant_id, resolved_at) WHERE status = 'resolved';
CREATE INDEX conversations_pending_clock ON conversations (tenant_id, last_message_at)
  WHERE status = 'pending' AND waiting_since IS NULL;

-- +goose Down
DROP INDEX conversations_pending_clock;
DROP INDEX conversations_resolved_clock;
CREATE INDEX conversations_rule_clock ON conversations (tenant_id, status, last_message_at, resolved_at)
  WHERE status IN ('pending', 'resolved');
