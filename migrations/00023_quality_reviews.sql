-- +goose Up
-- Quality review: one resolved conversation in ten is in the review sample,
-- chosen by a hash of its id (stable: the same conversations every time,
-- nothing to write on resolve); a reviewer scores a sampled conversation on
-- accuracy, empathy and resolution (1-5), once, and may revise the score.
CREATE TABLE quality_reviews (
  tenant_id        uuid NOT NULL,
  conversation_id  uuid NOT NULL,
  reviewer_id      uuid,
  accuracy         int NOT NULL CHECK (accuracy BETWEEN 1 AND 5),
  empathy          int NOT NULL CHECK (empathy BETWEEN 1 AND 5),
  resolution       int NOT NULL CHECK (resolution BETWEEN 1 AND 5),
  comment          text NOT NULL DEFAULT '',
  reviewed_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, conversation_id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id)
);

-- The sample, newest first. Its columns and predicate never change after a
-- conversation is created, so conversation updates stay HOT. The predicate
-- must read exactly as helpdesk.reviewSample for the planner to use it.
CREATE INDEX conversations_review_sample ON conversations (tenant_id, created_at DESC, id DESC)
  WHERE hashtextextended(id::text, 0) % 10 = 0;

-- Whether an agent wrote in a conversation (the metrics' human
-- intervention, the knowledge scenarios' human share, the deflection guard):
-- one index-only probe instead of reading the conversation's messages.
CREATE INDEX messages_agent ON messages (tenant_id, conversation_id) WHERE author_kind = 'agent';

ALTER TABLE quality_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE quality_reviews FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON quality_reviews USING (tenant_id = current_tenant_id())
  WITH CHECK (tenant_id = current_tenant_id());

-- +goose Down
DROP INDEX messages_agent;
DROP INDEX conversations_review_sample;
DROP TABLE quality_reviews;
