-- +goose Up
-- Two-step sign-in with an authenticator app (TOTP, RFC 6238). Like users
-- and password_resets, these are small platform-wide tables without
-- row-level security: a person's account spans workspaces, and only
-- package tenant reads them, by the account's id or a token's hash.
--
-- The shared secret is sealed with the master keys (secretbox, bound to
-- the account's id); two_factor_enabled_at is NULL while an enrolment
-- waits for its first code. two_factor_last_step is the last 30-second
-- step whose code was taken, so a code is not taken twice.
ALTER TABLE users
  ADD COLUMN two_factor_secret     bytea,
  ADD COLUMN two_factor_enabled_at timestamptz,
  ADD COLUMN two_factor_last_step  bigint;

-- One-time recovery codes, stored only as their SHA-256.
CREATE TABLE two_factor_recovery_codes (
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash   bytea NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, code_hash)
);

-- A login whose password was right, waiting for its code: the challenge
-- token is stored only as its SHA-256, lives 5 minutes and works once.
CREATE TABLE two_factor_challenges (
  token_hash  bytea PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  workspace   text NOT NULL DEFAULT '',
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX two_factor_challenges_user ON two_factor_challenges (user_id);

-- +goose Down
DROP TABLE two_factor_challenges;
DROP TABLE two_factor_recovery_codes;
ALTER TABLE users
  DROP COLUMN two_factor_last_step,
  DROP COLUMN two_factor_enabled_at,
  DROP COLUMN two_factor_secret;
