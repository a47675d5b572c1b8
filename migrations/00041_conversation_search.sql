-- +goose Up
-- The inbox is searched by what was written (GET /v1/conversations?q=):
-- a conversation's subject, its messages' bodies, its customer's name and
-- email, and its order numbers. The text is matched as a case-insensitive
-- substring (ILIKE '%...%'), not by English words, because Chinese has no
-- spaces between words. Trigram GIN indexes (pg_trgm) serve such patterns
-- of 3 or more characters; btree_gin puts tenant_id in the same index, so
-- a search would read the entries of its own workspace's rows only.
--
-- Both extensions are trusted (PostgreSQL 13 and later): the database's
-- owner, which runs the migrations, may create them without a superuser.
--
-- Row-level security lets PostgreSQL use an index for a condition only
-- when its function is LEAKPROOF, and ILIKE's (texticlike) is not declared
-- so: as deskpool_app, each part of a search reads the workspace's rows
-- through a tenant_id index and filters them. A superuser may declare it, once per database:
--   ALTER FUNCTION texticlike(text, text) LEAKPROOF;
-- (its only errors are about the pattern, never the row), and trigram
-- indexes then serve patterns of 3 or more characters.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- The trigram indexes themselves are not created here. As deskpool_app
-- PostgreSQL would not use them for ILIKE (above), and every message
-- would pay for them: bench ingest, helpdesk wiring, 24.1-27.6% of pgbench
-- with the indexes below against 38.9-47.1% without, in alternating runs
-- (GIN entries for conversations and customers rewritten by each
-- message's updates, and for every message body). They belong with the
-- LEAKPROOF declaration, created CONCURRENTLY by whoever declares it:
--   CREATE INDEX messages_body_trgm ON messages USING gin (tenant_id, body gin_trgm_ops);
--   CREATE INDEX conversations_subject_trgm ON conversations USING gin (tenant_id, subject gin_trgm_ops) WHERE subject <> '';
--   CREATE INDEX conversations_order_refs ON conversations USING gin (tenant_id, order_refs) WHERE order_refs <> '{}';
--   CREATE INDEX customers_name_trgm ON customers USING gin (tenant_id, name gin_trgm_ops);
--   CREATE INDEX customers_email_trgm ON customers USING gin (tenant_id, email gin_trgm_ops);
-- Until then a search reads the workspace's rows (the tenant_id indexes)
-- and matches them: 20-27 ms for 20,000 messages (BENCHMARKS.md).

-- +goose Down
DROP EXTENSION IF EXISTS btree_gin;
DROP EXTENSION IF EXISTS pg_trgm;
