-- +goose Up
-- Every AI-triaged message adds to its workspace's hourly bucket in the
-- ingest's transaction. With one row per bucket, a workspace's concurrent
-- messages queued on that row's lock, each until the one before had
-- committed and flushed. A bucket is now kept in shards, one per database
-- connection (its backend's pid modulo 16), and read as their sum.
ALTER TABLE usage_buckets ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE usage_buckets DROP CONSTRAINT usage_buckets_pkey;
ALTER TABLE usage_buckets ADD PRIMARY KEY (tenant_id, meter, bucket_start, shard);

-- +goose Down
INSERT INTO usage_buckets (tenant_id, meter, bucket_start, shard, quantity, billable)
  SELECT tenant_id, meter, bucket_start, -1, sum(quantity), sum(billable) FROM usage_buckets GROUP BY 1, 2, 3;
DELETE FROM usage_buckets WHERE shard <> -1;
ALTER TABLE usage_buckets DROP CONSTRAINT usage_buckets_pkey;
ALTER TABLE usage_buckets DROP COLUMN shard;
ALTER TABLE usage_buckets ADD PRIMARY KEY (tenant_id, meter, bucket_start);
