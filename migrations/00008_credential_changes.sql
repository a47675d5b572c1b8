-- +goose Up
-- API processes cache what a credential grants (its workspace, role,
-- scopes and expiry) and the workspace itself. Every change that can narrow
-- or alter that is announced on the deskpool_credentials channel with the
-- workspace's id; PostgreSQL delivers the notice only when the change
-- commits, and each process drops that workspace's cached entries.

-- +goose StatementBegin
CREATE FUNCTION notify_credentials_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- A row moved to another workspace is announced to both.
  IF TG_TABLE_NAME = 'tenants' THEN
    PERFORM pg_notify('deskpool_credentials', OLD.id::text);
    IF TG_OP = 'UPDATE' AND NEW.id <> OLD.id THEN
      PERFORM pg_notify('deskpool_credentials', NEW.id::text);
    END IF;
  ELSE
    PERFORM pg_notify('deskpool_credentials', OLD.tenant_id::text);
    IF TG_OP = 'UPDATE' AND NEW.tenant_id <> OLD.tenant_id THEN
      PERFORM pg_notify('deskpool_credentials', NEW.tenant_id::text);
    END IF;
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER credentials_changed AFTER UPDATE OF slug, name, plan OR DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();
CREATE TRIGGER credentials_changed AFTER UPDATE OF role, tenant_id, user_id OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();
CREATE TRIGGER credentials_changed AFTER UPDATE OF revoked_at, expires_at, token_hash, user_id, tenant_id OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();
CREATE TRIGGER credentials_changed AFTER UPDATE OF revoked_at, expires_at, key_hash, scopes, tenant_id OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();

-- +goose Down
DROP TRIGGER credentials_changed ON api_keys;
DROP TRIGGER credentials_changed ON sessions;
DROP TRIGGER credentials_changed ON memberships;
DROP TRIGGER credentials_changed ON tenants;
DROP FUNCTION notify_credentials_changed();
