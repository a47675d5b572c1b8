-- +goose Up
-- Saved replies (macros, canned responses): a workspace's ready answers
-- that an agent inserts into a reply with one click, their placeholders
-- ({{customer.name}}, {{order.number}}, ...) filled from the conversation.
-- A name is unique per workspace whatever its case, and so is a shortcut
-- ("/refund"); language (en or zh), when set, lets the picker offer a
-- Chinese customer the Chinese one. created_by is the member who wrote it
-- (NULL for an API key). uses counts renders, for the picker's order.
CREATE TABLE saved_replies (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL,
  name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  shortcut      text CHECK (shortcut ~ '^/[a-z0-9][a-z0-9_-]{0,31}$'),
  body          text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
  language      text CHECK (language IN ('en', 'zh')),
  created_by    uuid,
  uses          int NOT NULL DEFAULT 0,
  last_used_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX saved_replies_name ON saved_replies (tenant_id, lower(name));
CREATE UNIQUE INDEX saved_replies_shortcut ON saved_replies (tenant_id, shortcut) WHERE shortcut IS NOT NULL;
CREATE INDEX saved_replies_list ON saved_replies (tenant_id, created_at DESC, id DESC);

ALTER TABLE saved_replies ENABLE ROW LEVEL SECURITY;
ALTER TABLE saved_replies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON saved_replies USING (tenant_id = current_tenant_id())
  WITH CHECK (tenant_id = current_tenant_id());

-- +goose Down
DROP TABLE saved_replies;
