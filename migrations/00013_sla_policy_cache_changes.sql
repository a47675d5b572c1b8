-- +goose Up
-- Each process caches the workspace's plan and SLA policies with their
-- business hours, which every change of a conversation matches against. A
-- committed change to a policy or to business hours is announced like the
-- other cached facts (see 00012; a plan change is announced by 00008), and
-- every process drops what it cached for that workspace.
CREATE TRIGGER workspace_changed AFTER INSERT OR DELETE OR UPDATE ON sla_policies
  FOR EACH ROW EXECUTE FUNCTION notify_workspace_changed();
CREATE TRIGGER workspace_changed AFTER INSERT OR DELETE OR UPDATE ON business_hours
  FOR EACH ROW EXECUTE FUNCTION notify_workspace_changed();

-- +goose Down
DROP TRIGGER workspace_changed ON business_hours;
DROP TRIGGER workspace_changed ON sla_policies;
