-- +goose Up
-- An order whose customer was erased keeps its amounts and statuses but
-- never again takes contact data or an address from the shop, and is never
-- linked to a customer again.
ALTER TABLE orders ADD COLUMN erased_at timestamptz;

-- +goose Down
ALTER TABLE orders DROP COLUMN erased_at;
