-- +goose Up
-- Which API key made a webhook subscription, beside the person who made
-- one (created_by, migration 00038): set when a key created it, NULL when
-- a person did (and for subscriptions made before this). The key belongs
-- to the same workspace; keys are revoked, never deleted, so the
-- reference outlives the key's use.
ALTER TABLE webhooks
  ADD COLUMN created_by_api_key uuid,
  ADD CONSTRAINT webhooks_created_by_api_key_fkey
    FOREIGN KEY (tenant_id, created_by_api_key) REFERENCES api_keys (tenant_id, id);

-- +goose Down
ALTER TABLE webhooks
  DROP CONSTRAINT webhooks_created_by_api_key_fkey,
  DROP COLUMN created_by_api_key;
