-- +goose Up
-- "Your password was changed": each new password, changed in settings or
-- reset with a link, is a row here written in the transaction that sets
-- it, and its notice a task queued through the outbox beside it. The row
-- keeps the address the account had then (the notice goes there, even if
-- the email changes since) and records when the notice went (mailed_at),
-- so a task run twice sends once. A small platform-wide table like
-- password_resets: an account spans workspaces.
CREATE TABLE password_notices (
  id          bytea PRIMARY KEY,  -- random, named by the notice's task
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email       text NOT NULL,
  way         text NOT NULL CHECK (way IN ('change', 'reset')),
  changed_at  timestamptz NOT NULL,
  mailed_at   timestamptz
);
CREATE INDEX password_notices_user ON password_notices (user_id, changed_at);

-- +goose Down
DROP TABLE password_notices;
