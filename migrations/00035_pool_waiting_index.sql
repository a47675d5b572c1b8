-- +goose Up
-- The pool's routing pass (alliance.RouteWaiting) reads an alliance's
-- waiting conversations, oldest first. No index led with the alliance:
-- the pass walked every member brand's pool rows, past and present (on
-- 10,000 pool rows of 200 brands, 5,900 buffers and 6 ms for an empty
-- queue). Only the waiting rows are indexed, so the index stays as small
-- as the queue.
CREATE INDEX pool_conversations_waiting ON pool_conversations (alliance_id, pooled_at) WHERE state = 'waiting';

-- +goose Down
DROP INDEX pool_conversations_waiting;
