-- +goose Up
-- Each process caches what every message's ingest needs to know of its
-- workspace: the webhook subscriptions and whether an agent is online. A
-- committed change to either is announced on the same channel as a
-- credential change (see 00008), with the workspace's id, and every process
-- drops what it cached for that workspace.

-- +goose StatementBegin
CREATE FUNCTION notify_workspace_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('deskpool_credentials', OLD.tenant_id::text);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.tenant_id <> OLD.tenant_id) THEN
    PERFORM pg_notify('deskpool_credentials', NEW.tenant_id::text);
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- An update is announced only when what the caches hold changed: a failed
-- delivery rewrites a webhook's row (and its enabled flag) every time.
CREATE TRIGGER workspace_changed AFTER INSERT OR DELETE ON webhooks
  FOR EACH ROW EXECUTE FUNCTION notify_workspace_changed();
CREATE TRIGGER workspace_changed_update AFTER UPDATE ON webhooks
  FOR EACH ROW WHEN (OLD.enabled IS DISTINCT FROM NEW.enabled OR OLD.events IS DISTINCT FROM NEW.events
    OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
  EXECUTE FUNCTION notify_workspace_changed();
CREATE TRIGGER workspace_changed AFTER INSERT OR DELETE ON agent_profiles
  FOR EACH ROW EXECUTE FUNCTION notify_workspace_changed();
CREATE TRIGGER workspace_changed_update AFTER UPDATE ON agent_profiles
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
  EXECUTE FUNCTION notify_workspace_changed();

-- +goose Down
DROP TRIGGER workspace_changed_update ON agent_profiles;
DROP TRIGGER workspace_changed ON agent_profiles;
DROP TRIGGER workspace_changed_update ON webhooks;
DROP TRIGGER workspace_changed ON webhooks;
DROP FUNCTION notify_workspace_changed();
