-- +goose Up
-- Each process caches the ids of every workspace's shop connectors, to
-- refuse a shop webhook naming a connector that does not exist without a
-- transaction. A connector created, deleted or moved to another kind is
-- announced on the channel of 00008 and 00012 with its workspace's id, and
-- every process drops what it cached for that workspace.
CREATE TRIGGER workspace_changed AFTER INSERT OR DELETE ON connectors
  FOR EACH ROW EXECUTE FUNCTION notify_workspace_changed();
CREATE TRIGGER workspace_changed_update AFTER UPDATE ON connectors
  FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id
    OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION notify_workspace_changed();

-- +goose Down
DROP TRIGGER workspace_changed_update ON connectors;
DROP TRIGGER workspace_changed ON connectors;
