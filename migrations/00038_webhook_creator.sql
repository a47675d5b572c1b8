-- +goose Up
-- Who made a webhook subscription: the person signed in when it was
-- created (NULL when an API key made it, and for subscriptions made
-- before this). A subscription stays when its creator leaves the
-- workspace (it belongs to the workspace, as Stripe keeps an account's
-- endpoints); the removal is audited with those they made that remain.
ALTER TABLE webhooks ADD COLUMN created_by uuid;

-- +goose Down
ALTER TABLE webhooks DROP COLUMN created_by;
