-- +goose Up
-- The inbox is searched by what was written (GET /v1/conversations?q=):
-- a conversation's subject, its messages' bodies, its customer's name and
-- email, and its order numbers. The text is matched as a case-insensitive
-- substring (ILIKE '%...%'), not by English words, because Chinese has no
-- spaces between words. Trigram GIN indexes (pg_trgm) serve such patterns
-- of 3 or more characters; btree_gin puts tenant_id in the same index, so
-- a search reads the entries of its own workspace's rows only.
--
-- Both extensions are trusted (PostgreSQL 13 and later): the database's
-- owner, which runs the migrations, may create them without a superuser.
--
-- Row-level security lets PostgreSQL use an index for a condition only
-- when its function is LEAKPROOF, and ILIKE's (texticlike) is not declared
-- so: as deskpool_app, the messages' search reads the workspace's rows
-- through the tenant_id part of the index and filters them. A superuser
-- may declare it, once per database:
--   ALTER FUNCTION texticlike(text, text) LEAKPROOF;
-- (its only errors are about the pattern, never the row), and the
-- trigram index then serves patterns of 3 or more characters.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE INDEX messages_body_trgm ON messages USING gin (tenant_id, body gin_trgm_ops);
CREATE INDEX conversations_subject_trgm ON conversations USING gin (tenant_id, subject gin_trgm_ops) WHERE subject <> '';
CREATE INDEX conversations_order_refs ON conversations USING gin (tenant_id, order_refs) WHERE order_refs <> '{}';
CREATE INDEX customers_name_trgm ON customers USING gin (tenant_id, name gin_trgm_ops);
CREATE INDEX customers_email_trgm ON customers USING gin (tenant_id, email gin_trgm_ops);

-- +goose Down
DROP INDEX customers_email_trgm;
DROP INDEX customers_name_trgm;
DROP INDEX conversations_order_refs;
DROP INDEX conversations_subject_trgm;
DROP INDEX messages_body_trgm;
DROP EXTENSION IF EXISTS btree_gin;
DROP EXTENSION IF EXISTS pg_trgm;
