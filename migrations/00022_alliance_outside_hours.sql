-- +goose Up
-- A member brand's overflow rule may offer conversations to the pool
-- outside the brand's business hours.
ALTER TABLE alliance_members ADD COLUMN when_outside_hours boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE alliance_members DROP COLUMN when_outside_hours;
