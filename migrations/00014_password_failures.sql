-- +goose Up
-- Failed password checks, counted per email and per client address so that
-- the lockout outlives a Redis flush or restart. A small platform-wide
-- table (no tenant: an email is locked across every workspace, whether or
-- not an account has it), read and written only by tenant's password check.
CREATE TABLE password_failures (
  subject       text PRIMARY KEY,          -- 'email:<normalised email>' or 'ip:<address>'
  failures      integer NOT NULL,          -- checks in the window, counted before each is made
  window_start  timestamptz NOT NULL       -- the window ends EmailFailures/IPFailures' Window later
);
CREATE INDEX password_failures_window ON password_failures (window_start);

-- +goose Down
DROP TABLE password_failures;
