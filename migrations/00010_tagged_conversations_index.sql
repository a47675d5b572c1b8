-- +goose Up
-- Most conversations carry no tags, yet every one of them was entered in
-- the tag index when it was created. Only tagged conversations are now;
-- a tag filter states tags <> '{}' so that the index serves it.
DROP INDEX conversations_tags;
CREATE INDEX conversations_tags ON conversations USING gin (tags) WHERE tags <> '{}';

-- +goose Down
DROP INDEX conversations_tags;
CREATE INDEX conversations_tags ON conversations USING gin (tags);
