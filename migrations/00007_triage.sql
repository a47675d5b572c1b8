-- +goose Up
-- Triage: each workspace's AI settings, knowledge scenarios and what the AI
-- answered with them (for hand-over shares and the deflection guard),
-- adjustments learned from its agents' corrections, and its LLM usage; on
-- the platform side, de-identified examples pooled from workspaces that
-- opted in and the versions of the pooled model (small reference tables
-- with no tenant data, written only on the system path).

CREATE TABLE triage_settings (
  tenant_id               uuid NOT NULL REFERENCES tenants (id),
  deflection_ceiling      double precision NOT NULL DEFAULT 0.75 CHECK (deflection_ceiling BETWEEN 0 AND 1),
  borderline_confidence   double precision NOT NULL DEFAULT 0.8 CHECK (borderline_confidence BETWEEN 0 AND 1),
  deflection_window_days  int NOT NULL DEFAULT 7 CHECK (deflection_window_days BETWEEN 1 AND 90),
  pool_opt_in             boolean NOT NULL DEFAULT false,
  llm_enabled             boolean NOT NULL DEFAULT false,
  home_country            text NOT NULL DEFAULT 'CN',
  scenarios_seeded_at     timestamptz,
  updated_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);

-- A scenario answers one intent when its trigger words or its intent match
-- and its conditions hold; replies hold a template per language.
CREATE TABLE knowledge_scenarios (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL,
  key          text,
  name         text NOT NULL,
  intent       text NOT NULL,
  triggers_zh  text[] NOT NULL DEFAULT '{}',
  triggers_en  text[] NOT NULL DEFAULT '{}',
  conditions   jsonb NOT NULL DEFAULT '{}',
  replies      jsonb NOT NULL DEFAULT '{}',
  collect      text[] NOT NULL DEFAULT '{}',
  priority     int NOT NULL DEFAULT 0,
  enabled      boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name),
  UNIQUE (tenant_id, key)
);
CREATE INDEX knowledge_scenarios_list ON knowledge_scenarios (tenant_id, created_at DESC, id DESC);

-- One row per conversation and scenario the AI answered with. No foreign
-- key to conversations: erasure and retention of conversations stay the
-- helpdesk's business.
CREATE TABLE knowledge_answers (
  tenant_id        uuid NOT NULL,
  conversation_id  uuid NOT NULL,
  scenario_id      uuid NOT NULL,
  answers          int NOT NULL DEFAULT 1,
  first_at         timestamptz NOT NULL DEFAULT now(),
  last_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, conversation_id, scenario_id),
  FOREIGN KEY (tenant_id, scenario_id) REFERENCES knowledge_scenarios (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX knowledge_answers_scenario ON knowledge_answers (tenant_id, scenario_id, first_at);

-- Adjustments learned from the workspace's corrections; the newest active
-- one is applied on top of the pooled model. watermark is the newest
-- correction learned from.
CREATE TABLE triage_adjustments (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  version         int NOT NULL,
  model           bytea,
  examples        int NOT NULL,
  watermark       timestamptz NOT NULL,
  pooled_version  text NOT NULL DEFAULT '',
  holdout         jsonb NOT NULL DEFAULT '{}',
  active          boolean NOT NULL DEFAULT false,
  trained_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, version)
);

-- One row per call to the operator's LLM provider: the metering.
CREATE TABLE llm_usage (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  id                 uuid NOT NULL,
  purpose            text NOT NULL CHECK (purpose IN ('triage', 'draft')),
  ok                 boolean NOT NULL,
  prompt_tokens      int NOT NULL DEFAULT 0,
  completion_tokens  int NOT NULL DEFAULT 0,
  latency_ms         int NOT NULL DEFAULT 0,
  created_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX llm_usage_recent ON llm_usage (tenant_id, created_at);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['triage_settings', 'knowledge_scenarios', 'knowledge_answers',
                           'triage_adjustments', 'llm_usage'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) '
                   'WITH CHECK (tenant_id = current_tenant_id())', t);
  END LOOP;
END $$;
-- +goose StatementEnd

-- Platform: de-identified corrections of opted-in workspaces. source is a
-- hash of the workspace id (so a workspace can withdraw its examples) and
-- names nobody; the text has names, phones, e-mails, addresses and order
-- numbers replaced before it is written.
CREATE TABLE triage_pool_examples (
  source      bytea NOT NULL,
  example     bytea NOT NULL,
  text        text NOT NULL,
  intent      text NOT NULL,
  urgency     text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, example)
);

-- Platform: versions of the pooled model (an adjustment on top of the
-- built-in classifier) with their held-out scores; one is active.
CREATE TABLE triage_models (
  version       text PRIMARY KEY,
  base_version  text NOT NULL,
  model         bytea NOT NULL,
  examples      int NOT NULL,
  workspaces    int NOT NULL,
  fingerprint   text NOT NULL,
  holdout       jsonb NOT NULL,
  active        boolean NOT NULL DEFAULT false,
  trained_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX triage_models_active ON triage_models (active) WHERE active;

-- The application role reads the active pooled model and nothing else of
-- the pool; only the system role writes these tables.
REVOKE ALL ON triage_pool_examples FROM deskpool_app;
REVOKE INSERT, UPDATE, DELETE ON triage_models FROM deskpool_app;

-- +goose Down
DROP TABLE triage_models, triage_pool_examples, llm_usage, triage_adjustments, knowledge_answers,
  knowledge_scenarios, triage_settings;
