-- +goose Up
-- Helpdesk: customers and their identities across channels, conversations,
-- messages, the timeline, agents' presence and capacity, CSAT, outbound
-- webhooks and in-app notifications.

CREATE TABLE customers (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL,
  name         text,
  email        text,
  phone        text,
  vip          boolean NOT NULL DEFAULT false,
  vulnerable   boolean NOT NULL DEFAULT false,
  segment      text NOT NULL DEFAULT '',
  language     text NOT NULL DEFAULT '',
  merged_into  uuid,
  erased_at    timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customers_created ON customers (tenant_id, created_at DESC, id DESC) WHERE merged_into IS NULL;

-- One row per way of recognising a customer: an email, an E.164 phone, or a
-- channel's own id. The same identity belongs to one customer only.
CREATE TABLE customer_identities (
  tenant_id    uuid NOT NULL,
  id           uuid NOT NULL,
  customer_id  uuid NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('email', 'phone', 'external')),
  channel      text NOT NULL DEFAULT '',
  value        text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, kind, channel, value),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX customer_identities_customer ON customer_identities (tenant_id, customer_id);

CREATE TABLE agent_profiles (
  tenant_id    uuid NOT NULL,
  user_id      uuid NOT NULL,
  status       text NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'away', 'offline')),
  capacity     int NOT NULL DEFAULT 5 CHECK (capacity >= 0),
  senior       boolean NOT NULL DEFAULT false,
  languages    text[] NOT NULL DEFAULT '{}',
  channels     text[] NOT NULL DEFAULT '{}',
  categories   text[] NOT NULL DEFAULT '{}',
  status_at    timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE
);

CREATE TABLE conversations (
  tenant_id           uuid NOT NULL,
  id                  uuid NOT NULL,
  customer_id         uuid NOT NULL,
  status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'snoozed', 'resolved', 'closed')),
  channel             text NOT NULL,
  last_channel        text NOT NULL,
  subject             text NOT NULL DEFAULT '',
  assignee_id         uuid,
  priority            text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  tags                text[] NOT NULL DEFAULT '{}',
  order_refs          text[] NOT NULL DEFAULT '{}',
  intent              text NOT NULL DEFAULT '',
  urgency             text NOT NULL DEFAULT '',
  sentiment           text NOT NULL DEFAULT '',
  anger               boolean NOT NULL DEFAULT false,
  level               text NOT NULL DEFAULT '',
  route               text NOT NULL DEFAULT '',
  language            text NOT NULL DEFAULT '',
  confidence          real NOT NULL DEFAULT 0,
  facts               jsonb NOT NULL DEFAULT '{}',
  proactive           boolean NOT NULL DEFAULT false,
  snoozed_until       timestamptz,
  waiting_since       timestamptz,
  first_response_at   timestamptz,
  last_message_at     timestamptz NOT NULL DEFAULT now(),
  resolved_at         timestamptz,
  closed_at           timestamptz,
  message_count       int NOT NULL DEFAULT 0,
  ai_unresolved       int NOT NULL DEFAULT 0,
  sla_policy_id          uuid,
  first_response_due_at  timestamptz,
  next_response_due_at   timestamptz,
  resolution_due_at      timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) WITH (fillfactor = 80); -- room for HOT updates: every message updates its conversation
CREATE INDEX conversations_inbox ON conversations (tenant_id, created_at DESC, id DESC);
CREATE INDEX conversations_status ON conversations (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX conversations_assignee ON conversations (tenant_id, assignee_id, status);
-- No last_message_at here: an indexed column that changes on every message
-- would make every conversation update a non-HOT one.
CREATE INDEX conversations_customer ON conversations (tenant_id, customer_id);
CREATE INDEX conversations_waiting ON conversations (tenant_id, waiting_since)
  WHERE assignee_id IS NULL AND status = 'open';
CREATE INDEX conversations_tags ON conversations USING gin (tags);

CREATE TABLE messages (
  tenant_id            uuid NOT NULL,
  id                   uuid NOT NULL,
  conversation_id      uuid NOT NULL,
  direction            text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  author_kind          text NOT NULL CHECK (author_kind IN ('customer', 'agent', 'ai', 'system')),
  author_id            uuid,
  channel              text NOT NULL,
  body                 text NOT NULL,
  internal             boolean NOT NULL DEFAULT false,
  external_message_id  text,
  attachments          jsonb NOT NULL DEFAULT '[]',
  triage               jsonb,
  created_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id)
);
CREATE INDEX messages_conversation ON messages (tenant_id, conversation_id, created_at, id);
CREATE UNIQUE INDEX messages_external ON messages (tenant_id, channel, external_message_id)
  WHERE external_message_id IS NOT NULL;

CREATE TABLE conversation_events (
  tenant_id        uuid NOT NULL,
  id               uuid NOT NULL,
  conversation_id  uuid NOT NULL,
  kind             text NOT NULL,
  actor_kind       text NOT NULL,
  actor_id         uuid,
  data             jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id)
);
CREATE INDEX conversation_events_timeline ON conversation_events (tenant_id, conversation_id, created_at, id);

CREATE TABLE csat_responses (
  tenant_id        uuid NOT NULL,
  conversation_id  uuid NOT NULL,
  score            int NOT NULL CHECK (score BETWEEN 1 AND 5),
  nps              int CHECK (nps BETWEEN 0 AND 10),
  comment          text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, conversation_id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id)
);

CREATE TABLE triage_corrections (
  tenant_id        uuid NOT NULL,
  id               uuid NOT NULL,
  conversation_id  uuid NOT NULL,
  message_id       uuid,
  corrected_by     uuid,
  original         jsonb NOT NULL,
  corrected        jsonb NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id)
);

CREATE TABLE webhooks (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  id               uuid NOT NULL,
  url              text NOT NULL,
  description      text NOT NULL DEFAULT '',
  events           text[] NOT NULL,
  secret_sealed    bytea NOT NULL,
  enabled          boolean NOT NULL DEFAULT true,
  failure_streak   int NOT NULL DEFAULT 0,
  disabled_at      timestamptz,
  disabled_reason  text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE webhook_deliveries (
  tenant_id         uuid NOT NULL,
  id                uuid NOT NULL,
  webhook_id        uuid NOT NULL,
  event_id          uuid NOT NULL,
  event_type        text NOT NULL,
  payload           jsonb NOT NULL,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts          int NOT NULL DEFAULT 0,
  last_status_code  int,
  last_error        text NOT NULL DEFAULT '',
  last_attempt_at   timestamptz,
  delivered_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, webhook_id, event_id),
  FOREIGN KEY (tenant_id, webhook_id) REFERENCES webhooks (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (tenant_id, webhook_id, created_at DESC, id DESC);

CREATE TABLE notifications (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL,
  user_id     uuid,
  kind        text NOT NULL,
  title       text NOT NULL,
  body        text NOT NULL DEFAULT '',
  data        jsonb NOT NULL DEFAULT '{}',
  read_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX notifications_user ON notifications (tenant_id, user_id, created_at DESC);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customers', 'customer_identities', 'agent_profiles', 'conversations', 'messages',
                           'conversation_events', 'csat_responses', 'triage_corrections', 'webhooks',
                           'webhook_deliveries', 'notifications'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) '
                   'WITH CHECK (tenant_id = current_tenant_id())', t);
  END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE notifications, webhook_deliveries, webhooks, triage_corrections, csat_responses,
  conversation_events, messages, conversations, agent_profiles, customer_identities, customers;
