-- +goose Up
-- Alliances of brands and their shared agent pools. The alliance, its
-- staff (admins and pool agents) and its own audit log are platform
-- tables: pool agents are platform users, never members of a brand. What
-- belongs to a brand (its membership and overflow rule, its pooled
-- conversations, the pool usage it is billed for) leads with tenant_id
-- under row-level security; the pool reads across brands only through the
-- system path.
CREATE TABLE alliances (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  created_by  uuid NOT NULL REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alliance_staff (
  alliance_id  uuid NOT NULL REFERENCES alliances (id),
  user_id      uuid NOT NULL REFERENCES users (id),
  role         text NOT NULL CHECK (role IN ('alliance_admin', 'pool_agent')),
  intents      text[] NOT NULL DEFAULT '{}',
  languages    text[] NOT NULL DEFAULT '{}',
  channels     text[] NOT NULL DEFAULT '{}',
  senior       boolean NOT NULL DEFAULT false,
  capacity     integer NOT NULL DEFAULT 5 CHECK (capacity BETWEEN 0 AND 100),
  status       text NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'away', 'offline')),
  load         integer NOT NULL DEFAULT 0 CHECK (load >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (alliance_id, user_id, role)
);
CREATE INDEX alliance_staff_user ON alliance_staff (user_id);

-- A pool agent's invitation, by email: the person accepts it signed in,
-- so an admin learns nothing of who has an account.
CREATE TABLE alliance_agent_invites (
  alliance_id  uuid NOT NULL REFERENCES alliances (id),
  email        text NOT NULL,
  intents      text[] NOT NULL DEFAULT '{}',
  languages    text[] NOT NULL DEFAULT '{}',
  channels     text[] NOT NULL DEFAULT '{}',
  senior       boolean NOT NULL DEFAULT false,
  capacity     integer NOT NULL DEFAULT 5,
  invited_by   uuid NOT NULL,
  invited_at   timestamptz NOT NULL DEFAULT now(),
  accepted_by  uuid,
  accepted_at  timestamptz,
  PRIMARY KEY (alliance_id, email)
);

CREATE TABLE alliance_audit (
  alliance_id  uuid NOT NULL REFERENCES alliances (id),
  id           uuid NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_id     uuid,
  action       text NOT NULL,
  brand_id     uuid,          -- the member brand concerned (a workspace id); the alliance's own log, not the brand's
  target_id    text NOT NULL DEFAULT '',
  details      jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (alliance_id, id)
);

-- A brand's membership: invited by the alliance's admin, accepted (the
-- consent: who and when) by the brand's owner or admin, left at will.
CREATE TABLE alliance_members (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  alliance_id        uuid NOT NULL REFERENCES alliances (id),
  status             text NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'active', 'left')),
  invited_by         uuid NOT NULL,
  invited_at         timestamptz NOT NULL DEFAULT now(),
  accepted_by        uuid,
  accepted_at        timestamptz,
  left_by            uuid,
  left_at            timestamptz,
  -- the overflow rule; enabled false offers nothing
  overflow_enabled   boolean NOT NULL DEFAULT false,
  when_no_agent      boolean NOT NULL DEFAULT false,
  sla_share          integer NOT NULL DEFAULT 0 CHECK (sla_share BETWEEN 0 AND 100),
  intents            text[] NOT NULL DEFAULT '{}',
  languages          text[] NOT NULL DEFAULT '{}',
  vip_only           boolean NOT NULL DEFAULT false,
  daily_cap          integer NOT NULL DEFAULT 0 CHECK (daily_cap >= 0),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, alliance_id)
);
CREATE INDEX alliance_members_alliance ON alliance_members (alliance_id, status);

-- The pool queue: ids, urgency, skills and a masked preview only.
CREATE TABLE pool_conversations (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  conversation_id  uuid NOT NULL,
  alliance_id      uuid NOT NULL REFERENCES alliances (id),
  state            text NOT NULL CHECK (state IN ('waiting', 'assigned', 'returned')),
  agent_id         uuid,
  reason           text NOT NULL,
  urgency          text NOT NULL DEFAULT '',
  vip              boolean NOT NULL DEFAULT false,
  intent           text NOT NULL DEFAULT '',
  language         text NOT NULL DEFAULT '',
  preview          text NOT NULL DEFAULT '',
  pooled_at        timestamptz NOT NULL DEFAULT now(),
  assigned_at      timestamptz,
  returned_at      timestamptz,
  PRIMARY KEY (tenant_id, conversation_id, pooled_at),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
-- At most one live pool entry per conversation, whichever pool.
CREATE UNIQUE INDEX pool_conversations_live ON pool_conversations (tenant_id, conversation_id)
  WHERE state IN ('waiting', 'assigned');
CREATE INDEX pool_conversations_agent ON pool_conversations (agent_id, state);

-- Each conversation the pool handled (its first pool reply), counted once.
CREATE TABLE pool_usage (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  conversation_id  uuid NOT NULL,
  alliance_id      uuid NOT NULL REFERENCES alliances (id),
  agent_id         uuid NOT NULL,
  first_reply_at   timestamptz NOT NULL,
  handle_seconds   double precision NOT NULL,
  PRIMARY KEY (tenant_id, conversation_id, alliance_id)
);
CREATE INDEX pool_usage_alliance ON pool_usage (alliance_id, first_reply_at);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['alliance_members', 'pool_conversations', 'pool_usage'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) '
                   'WITH CHECK (tenant_id = current_tenant_id())', t);
  END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE pool_usage, pool_conversations, alliance_members, alliance_audit, alliance_agent_invites, alliance_staff, alliances;
