-- +goose Up
-- The application role and the system role own nothing; they receive rights
-- on every table the migration owner creates from now on.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO deskpool_app, deskpool_system;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO deskpool_app, deskpool_system;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT EXECUTE ON FUNCTIONS TO deskpool_app, deskpool_system;
GRANT USAGE ON SCHEMA public TO deskpool_app, deskpool_system;

-- +goose Down
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM deskpool_app, deskpool_system;
