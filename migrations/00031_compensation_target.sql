-- +goose Up
-- Where in the shop an approved grant is executed (a Shopify partial
-- refund: the connector and the order), chosen once and kept before the
-- shop is asked, so a retried execution aims at the same place and finds
-- what an earlier run did there, whatever orders came in between.
ALTER TABLE compensations ADD COLUMN execution_target text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE compensations DROP COLUMN execution_target;
