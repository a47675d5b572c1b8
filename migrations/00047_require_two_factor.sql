-- +goose Up
-- A workspace may require two-step sign-in of its members: while it does,
-- a member whose account signs in with the password alone reaches only
-- what sets two-step sign-in up (see api's authed). Processes cache the
-- workspace, so a change of the setting is announced like one of its name
-- (see 00008, 00016).
ALTER TABLE tenants ADD COLUMN require_two_factor boolean NOT NULL DEFAULT false;
DROP TRIGGER credentials_changed ON tenants;
CREATE TRIGGER credentials_changed AFTER UPDATE OF slug, name, plan, country, require_two_factor OR DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();

-- +goose Down
DROP TRIGGER credentials_changed ON tenants;
CREATE TRIGGER credentials_changed AFTER UPDATE OF slug, name, plan, country OR DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();
ALTER TABLE tenants DROP COLUMN require_two_factor;
