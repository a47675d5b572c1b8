-- +goose Up
-- A customer's message is its own timeline entry: the timeline reads
-- "message.received" (with the message's triage) from the message itself
-- instead of two event rows written beside every message. Only what the
-- message does not hold (a conversation created or reopened, a hand-over)
-- is still written as an event.
-- security_invoker: the caller's row-level security applies, as on the
-- tables themselves.
CREATE VIEW conversation_timeline WITH (security_invoker = true) AS
  SELECT tenant_id, id, conversation_id, kind, actor_kind, actor_id, data, created_at
  FROM conversation_events
  WHERE kind NOT IN ('message.received', 'triage') -- rows a process of the old code may still write
  UNION ALL
  SELECT tenant_id, id, conversation_id, 'message.received', 'customer', NULL::uuid,
    jsonb_build_object('message_id', id, 'channel', channel, 'triage', triage), created_at
  FROM messages WHERE direction = 'inbound';

-- The rows the view now stands for. The owner is under row-level security
-- too, so it is lifted on the table for this statement only.
ALTER TABLE conversation_events NO FORCE ROW LEVEL SECURITY;
DELETE FROM conversation_events WHERE kind IN ('message.received', 'triage');
ALTER TABLE conversation_events FORCE ROW LEVEL SECURITY;

-- +goose Down
-- The deleted rows are not written back: the messages still hold them.
DROP VIEW conversation_timeline;
