-- +goose Up
-- The conversation rules' sweep, run each minute by every worker, looks
-- for the workspaces with a conversation due. Each rule's clock is
-- indexed on its own, led by the workspace, so each workspace's oldest
-- conversation on a clock is one probe (on 1,000,000 conversations of
-- 2,000 brands: 4,600 buffers, 14 ms, where one index of every pending
-- and resolved conversation took a parallel scan of the whole table,
-- 52,000 buffers and 300 ms), and the pending index holds only the
-- conversations that wait on the customer (the resolve rule is off
-- unless a workspace turns it on, so pending ones pile up).
CREATE INDEX conversations_resolved_clock ON conversations (tenant_id, resolved_at) WHERE status = 'resolved';
CREATE INDEX conversations_pending_clock ON conversations (tenant_id, last_message_at)
  WHERE status = 'pending' AND waiting_since IS NULL;

-- +goose Down
DROP INDEX conversations_pending_clock;
DROP INDEX conversations_resolved_clock;
