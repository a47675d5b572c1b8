-- +goose Up
-- A customer's segment history keeps the manual flags beside the computed
-- tier: an owner setting or clearing the VIP flag, an agent marking the
-- customer vulnerable, each with who did it in the reason.
ALTER TABLE customer_segment_changes
  ADD COLUMN from_vip boolean NOT NULL DEFAULT false,
  ADD COLUMN to_vip boolean NOT NULL DEFAULT false,
  ADD COLUMN from_vulnerable boolean NOT NULL DEFAULT false,
  ADD COLUMN to_vulnerable boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE customer_segment_changes DROP COLUMN from_vip, DROP COLUMN to_vip,
  DROP COLUMN from_vulnerable, DROP COLUMN to_vulnerable;
