-- +goose Up
-- Each process caches whether a workspace has an active alliance
-- membership with overflow on, so that an inbound message of a brand in no
-- pool reads no overflow rules. A membership that starts, ends or turns
-- overflow on or off is announced on the channel of 00008 and 00012 with
-- its workspace's id, and every process drops what it cached for it.
CREATE TRIGGER workspace_changed AFTER INSERT OR DELETE ON alliance_members
  FOR EACH ROW EXECUTE FUNCTION notify_workspace_changed();
CREATE TRIGGER workspace_changed_update AFTER UPDATE ON alliance_members
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.overflow_enabled IS DISTINCT FROM NEW.overflow_enabled)
  EXECUTE FUNCTION notify_workspace_changed();

-- +goose Down
DROP TRIGGER workspace_changed_update ON alliance_members;
DROP TRIGGER workspace_changed ON alliance_members;
