-- +goose Up
-- One-time password reset links. A small platform-wide table like users (a
-- person's account spans workspaces): the link's token is stored only as
-- its SHA-256, lives an hour and works once.
CREATE TABLE password_resets (
  token_hash  bytea PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  ip          text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now()
);
-- the per-person limit counts the links of the last hour
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);

-- +goose Down
DROP TABLE password_resets;
