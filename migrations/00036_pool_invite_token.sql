-- +goose Up
-- A pool agent's invitation is accepted with the token of its link (its
-- SHA-256 kept here), not by the account's email alone: signing up proves
-- no address, so the email was no proof of being the person invited.
-- Invitations still open from before have no token: the admin invites
-- again, which gives them one.
ALTER TABLE alliance_agent_invites ADD COLUMN token_hash bytea;

-- +goose Down
ALTER TABLE alliance_agent_invites DROP COLUMN token_hash;
