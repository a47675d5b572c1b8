-- +goose Up
-- A password reset link is mailed by a task queued through the outbox in
-- the transaction that creates it; mailed_at records that it went, so a
-- task run twice sends it once.
ALTER TABLE password_resets ADD COLUMN mailed_at timestamptz;

-- +goose Down
ALTER TABLE password_resets DROP COLUMN mailed_at;
