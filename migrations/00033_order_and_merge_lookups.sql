-- +goose Up
-- An order a customer names is looked up by number or by its shop's
-- external id, whatever the source; and "the customer and those merged
-- into them" by merged_into. Neither had an index: each such lookup read
-- every order, or every customer, of the workspace (the AI's answer from
-- order facts does both for every message). Few customers are merged, so
-- only they are in the second index.
CREATE INDEX orders_external_id ON orders (tenant_id, external_id);
CREATE INDEX customers_merged_into ON customers (tenant_id, merged_into) WHERE merged_into IS NOT NULL;

-- +goose Down
DROP INDEX customers_merged_into;
DROP INDEX orders_external_id;
