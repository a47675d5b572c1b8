-- +goose Up
-- Each process caches a workspace's AI settings and enabled knowledge
-- scenarios, which every message the AI answers needs. A committed change
-- to either is announced like the other cached facts (see 00012), with the
-- workspace's id, and every process drops what it cached for it.
CREATE TRIGGER workspace_changed AFTER INSERT OR DELETE OR UPDATE ON knowledge_scenarios
  FOR EACH ROW EXECUTE FUNCTION notify_workspace_changed();
CREATE TRIGGER workspace_changed AFTER INSERT OR DELETE OR UPDATE ON triage_settings
  FOR EACH ROW EXECUTE FUNCTION notify_workspace_changed();

-- +goose Down
DROP TRIGGER workspace_changed ON triage_settings;
DROP TRIGGER workspace_changed ON knowledge_scenarios;
