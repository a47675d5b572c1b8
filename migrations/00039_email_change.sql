-- +goose Up
-- Changing an account's email: a person asks for a new address with their
-- password, and the change happens when they follow a one-time link sent
-- to the new address. Such a link is an email_verifications row for the
-- new address that names the address the account had when it was asked
-- (previous_email): a link of a sign-up has none. A newer request
-- supersedes the open ones before it (superseded_at); the notice that
-- tells the old address of the request is mailed once (notice_mailed_at).
ALTER TABLE email_verifications
  ADD COLUMN previous_email   text,
  ADD COLUMN superseded_at    timestamptz,
  ADD COLUMN notice_mailed_at timestamptz;

-- +goose Down
ALTER TABLE email_verifications
  DROP COLUMN notice_mailed_at,
  DROP COLUMN superseded_at,
  DROP COLUMN previous_email;
