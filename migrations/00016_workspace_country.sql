-- +goose Up
-- A workspace's country (ISO 3166-1 alpha-2): the region a phone number
-- written without its country code is read in. Existing workspaces keep
-- what was assumed until now, China. Processes cache the workspace, so a
-- change of country is announced like one of its name (see 00008).
ALTER TABLE tenants ADD COLUMN country text NOT NULL DEFAULT 'CN' CHECK (country ~ '^[A-Z]{2}$');
DROP TRIGGER credentials_changed ON tenants;
CREATE TRIGGER credentials_changed AFTER UPDATE OF slug, name, plan, country OR DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();

-- +goose Down
DROP TRIGGER credentials_changed ON tenants;
CREATE TRIGGER credentials_changed AFTER UPDATE OF slug, name, plan OR DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();
ALTER TABLE tenants DROP COLUMN country;
