-- +goose Up
-- Email verification: signing up no longer makes an address count as the
-- person's until they follow a one-time link sent to it. Accounts made
-- before this are unverified (asked to confirm, never locked out).
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- One-time links that confirm an account's email. A small platform-wide
-- table like password_resets (an account spans workspaces): the token is
-- stored only as its SHA-256, lives 48 hours and works once; email is the
-- address it was sent to, so a link proves only that address.
CREATE TABLE email_verifications (
  token_hash  bytea PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email       text NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  mailed_at   timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
-- the resend limit reads a person's latest link
CREATE INDEX email_verifications_user ON email_verifications (user_id, created_at);

-- +goose Down
DROP TABLE email_verifications;
ALTER TABLE users DROP COLUMN email_verified_at;
