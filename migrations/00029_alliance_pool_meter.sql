-- +goose Up
-- Conversations an alliance pool handled for a brand are billed on a
-- metered price of their own: the subscription item it is reported on,
-- beside the AI overage item.
ALTER TABLE billing_accounts ADD COLUMN pool_item_id text;

-- +goose Down
ALTER TABLE billing_accounts DROP COLUMN pool_item_id;
