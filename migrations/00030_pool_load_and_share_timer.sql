-- +goose Up
-- A pool agent's load is the number of live pool assignments they hold,
-- kept by the database itself: every change of a pool row (assigned,
-- returned, handed back, recalled, its brand leaving, the row deleted with
-- its conversation) moves the count in the same statement, whatever code
-- made it. And a pool assignment ends whenever its conversation leaves the
-- pool agent (another assignee, back to the queue, or no longer open),
-- whichever path changed the conversation.

-- +goose StatementBegin
CREATE FUNCTION count_pool_load() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.state = 'assigned' AND OLD.agent_id IS NOT NULL THEN
    UPDATE alliance_staff SET load = load - 1
      WHERE alliance_id = OLD.alliance_id AND user_id = OLD.agent_id AND role = 'pool_agent';
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.state = 'assigned' AND NEW.agent_id IS NOT NULL THEN
    UPDATE alliance_staff SET load = load + 1
      WHERE alliance_id = NEW.alliance_id AND user_id = NEW.agent_id AND role = 'pool_agent';
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER pool_load AFTER INSERT OR DELETE ON pool_conversations
  FOR EACH ROW EXECUTE FUNCTION count_pool_load();
CREATE TRIGGER pool_load_update AFTER UPDATE ON pool_conversations
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.agent_id IS DISTINCT FROM NEW.agent_id
    OR OLD.alliance_id IS DISTINCT FROM NEW.alliance_id)
  EXECUTE FUNCTION count_pool_load();

-- +goose StatementBegin
CREATE FUNCTION release_pool_assignment() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pool_conversations SET state = 'returned', returned_at = clock_timestamp()
    WHERE tenant_id = OLD.tenant_id AND conversation_id = OLD.id AND agent_id = OLD.assignee_id AND state = 'assigned';
  RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER pool_assignment_ends AFTER UPDATE OF assignee_id, status ON conversations
  FOR EACH ROW WHEN (OLD.assignee_id IS NOT NULL AND (NEW.assignee_id IS DISTINCT FROM OLD.assignee_id
    OR (NEW.status <> 'open' AND OLD.status = 'open')))
  EXECUTE FUNCTION release_pool_assignment();

-- Loads counted before this migration are recounted once. The owner reads
-- every brand's pool rows for it only inside this transaction.
ALTER TABLE pool_conversations NO FORCE ROW LEVEL SECURITY;
UPDATE alliance_staff s SET load = (SELECT count(*) FROM pool_conversations p
    WHERE p.alliance_id = s.alliance_id AND p.agent_id = s.user_id AND p.state = 'assigned')
  WHERE s.role = 'pool_agent';
ALTER TABLE pool_conversations FORCE ROW LEVEL SECURITY;

-- The instant a running clock reaches the share of its target at which the
-- brand's overflow rule offers it to the pool (sla:pool), kept with the
-- clock so that the sweep acts on it when the timer was lost; NULL when
-- there is none or it was acted on.
ALTER TABLE sla_timers ADD COLUMN pool_at timestamptz;
CREATE INDEX sla_timers_pool ON sla_timers (pool_at) WHERE status = 'running' AND pool_at IS NOT NULL;

-- +goose Down
DROP INDEX sla_timers_pool;
ALTER TABLE sla_timers DROP COLUMN pool_at;
DROP TRIGGER pool_assignment_ends ON conversations;
DROP FUNCTION release_pool_assignment();
DROP TRIGGER pool_load_update ON pool_conversations;
DROP TRIGGER pool_load ON pool_conversations;
DROP FUNCTION count_pool_load();
