-- +goose Up
-- Daily rollups of the service metrics (sla/measures.go defines them): per
-- workspace, time zone the report was asked in, local day and (policy,
-- assignee) pair, the counts, sums and duration histograms the report adds
-- up; the intents and the knowledge scenarios of the day beside them.
-- A report reads the rollups of closed, clean days and computes the rest
-- (today, partial days at the edges, days changed since their rollup) live
-- from the conversations, with the same definitions.

-- The zones a workspace's reports were asked in; every day before
-- rolled_until (local, in zone) has its rollup rows (none when empty).
CREATE TABLE metric_zones (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  zone          text NOT NULL,
  rolled_until  date,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, zone)
);

-- The zero uuid stands for "no policy" and "no assignee" (keys cannot be
-- NULL); histograms are counts per bucket of sla/measures.go.
CREATE TABLE metric_days (
  tenant_id      uuid NOT NULL,
  zone           text NOT NULL,
  day            date NOT NULL,
  policy_key     uuid NOT NULL,
  agent_key      uuid NOT NULL,
  conversations  int NOT NULL,
  resolved       int NOT NULL,
  breached       int NOT NULL,
  escalated      int NOT NULL,
  handoffs       int NOT NULL,
  fcr            int NOT NULL,
  human          int NOT NULL,
  ai             int NOT NULL,
  frt_count      int NOT NULL,
  frt_sum        float8 NOT NULL,
  frt_hist       int[] NOT NULL,
  rt_count       int NOT NULL,
  rt_sum         float8 NOT NULL,
  rt_hist        int[] NOT NULL,
  ht_count       int NOT NULL,
  ht_sum         float8 NOT NULL,
  ht_hist        int[] NOT NULL,
  csat_count     int NOT NULL,
  csat_sum       int NOT NULL,
  nps_count      int NOT NULL,
  promoters      int NOT NULL,
  detractors     int NOT NULL,
  qa_count       int NOT NULL,
  qa_sum         int NOT NULL,
  PRIMARY KEY (tenant_id, zone, day, policy_key, agent_key),
  FOREIGN KEY (tenant_id, zone) REFERENCES metric_zones (tenant_id, zone) ON DELETE CASCADE
);

CREATE TABLE metric_day_intents (
  tenant_id      uuid NOT NULL,
  zone           text NOT NULL,
  day            date NOT NULL,
  intent         text NOT NULL,
  conversations  int NOT NULL,
  PRIMARY KEY (tenant_id, zone, day, intent),
  FOREIGN KEY (tenant_id, zone) REFERENCES metric_zones (tenant_id, zone) ON DELETE CASCADE
);

CREATE TABLE metric_day_scenarios (
  tenant_id      uuid NOT NULL,
  zone           text NOT NULL,
  day            date NOT NULL,
  scenario_id    uuid NOT NULL,
  conversations  int NOT NULL,
  human          int NOT NULL,
  PRIMARY KEY (tenant_id, zone, day, scenario_id),
  FOREIGN KEY (tenant_id, zone) REFERENCES metric_zones (tenant_id, zone) ON DELETE CASCADE
);

-- A change to what a past conversation contributes to the metrics, by the
-- UTC hour the conversation was created in; written by the triggers below
-- in the transaction of the change, so a change is never lost. Reports
-- compute the days these hours fall on live; the rollup job recomputes
-- them and deletes the marks it read (rows only: a mark committed after it
-- read stays for the next run). Conversations of the current hour are not
-- marked: no rollup covers them yet (the job rolls up a day only hours
-- after it ended), which keeps ingest free of the write.
CREATE TABLE metric_marks (
  tenant_id  uuid NOT NULL,
  id         uuid NOT NULL DEFAULT gen_random_uuid(),
  hour       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX metric_marks_hour ON metric_marks (tenant_id, hour);

-- +goose StatementBegin
CREATE FUNCTION mark_metrics_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  created timestamptz;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  IF TG_TABLE_NAME = 'conversations' THEN
    created := r.created_at;
    IF TG_OP = 'UPDATE' AND OLD.created_at <> NEW.created_at
        AND OLD.created_at < date_trunc('hour', clock_timestamp()) THEN
      INSERT INTO metric_marks (tenant_id, hour) VALUES (OLD.tenant_id, date_trunc('hour', OLD.created_at));
    END IF;
  ELSE
    SELECT c.created_at INTO created FROM conversations c WHERE c.tenant_id = r.tenant_id AND c.id = r.conversation_id;
  END IF;
  IF created IS NOT NULL AND created < date_trunc('hour', clock_timestamp()) THEN
    INSERT INTO metric_marks (tenant_id, hour) VALUES (r.tenant_id, date_trunc('hour', created));
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- Only what the metrics read: a new message updates message_count (first
-- contact resolution) and so is marked, for past conversations only.
CREATE TRIGGER metrics_changed AFTER INSERT OR DELETE ON conversations
  FOR EACH ROW EXECUTE FUNCTION mark_metrics_changed();
CREATE TRIGGER metrics_changed_update AFTER UPDATE ON conversations
  FOR EACH ROW WHEN (OLD.created_at < date_trunc('hour', now()) AND (
    OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at
    OR OLD.first_response_at IS DISTINCT FROM NEW.first_response_at OR OLD.message_count IS DISTINCT FROM NEW.message_count
    OR OLD.level IS DISTINCT FROM NEW.level OR OLD.route IS DISTINCT FROM NEW.route OR OLD.intent IS DISTINCT FROM NEW.intent
    OR OLD.sla_policy_id IS DISTINCT FROM NEW.sla_policy_id OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
    OR OLD.proactive IS DISTINCT FROM NEW.proactive))
  EXECUTE FUNCTION mark_metrics_changed();
CREATE TRIGGER metrics_changed AFTER INSERT ON messages
  FOR EACH ROW WHEN (NEW.author_kind = 'agent') EXECUTE FUNCTION mark_metrics_changed();
CREATE TRIGGER metrics_changed_delete AFTER DELETE ON messages
  FOR EACH ROW WHEN (OLD.author_kind = 'agent') EXECUTE FUNCTION mark_metrics_changed();
CREATE TRIGGER metrics_changed AFTER INSERT OR UPDATE OR DELETE ON sla_breaches
  FOR EACH ROW EXECUTE FUNCTION mark_metrics_changed();
CREATE TRIGGER metrics_changed AFTER INSERT OR UPDATE OR DELETE ON csat_responses
  FOR EACH ROW EXECUTE FUNCTION mark_metrics_changed();
CREATE TRIGGER metrics_changed AFTER INSERT OR UPDATE OR DELETE ON quality_reviews
  FOR EACH ROW EXECUTE FUNCTION mark_metrics_changed();
CREATE TRIGGER metrics_changed AFTER INSERT OR UPDATE OR DELETE ON knowledge_answers
  FOR EACH ROW EXECUTE FUNCTION mark_metrics_changed();
CREATE TRIGGER metrics_changed AFTER INSERT ON conversation_events
  FOR EACH ROW WHEN (NEW.kind IN ('handed_over', 'assigned')) EXECUTE FUNCTION mark_metrics_changed();
CREATE TRIGGER metrics_changed_delete AFTER DELETE ON conversation_events
  FOR EACH ROW WHEN (OLD.kind IN ('handed_over', 'assigned')) EXECUTE FUNCTION mark_metrics_changed();

ALTER TABLE metric_zones ENABLE ROW LEVEL SECURITY;
ALTER TABLE metric_zones FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON metric_zones USING (tenant_id = current_tenant_id())
  WITH CHECK (tenant_id = current_tenant_id());
ALTER TABLE metric_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE metric_days FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON metric_days USING (tenant_id = current_tenant_id())
  WITH CHECK (tenant_id = current_tenant_id());
ALTER TABLE metric_day_intents ENABLE ROW LEVEL SECURITY;
ALTER TABLE metric_day_intents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON metric_day_intents USING (tenant_id = current_tenant_id())
  WITH CHECK (tenant_id = current_tenant_id());
ALTER TABLE metric_day_scenarios ENABLE ROW LEVEL SECURITY;
ALTER TABLE metric_day_scenarios FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON metric_day_scenarios USING (tenant_id = current_tenant_id())
  WITH CHECK (tenant_id = current_tenant_id());
ALTER TABLE metric_marks ENABLE ROW LEVEL SECURITY;
ALTER TABLE metric_marks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON metric_marks USING (tenant_id = current_tenant_id())
  WITH CHECK (tenant_id = current_tenant_id());

-- +goose Down
DROP TRIGGER metrics_changed_delete ON conversation_events;
DROP TRIGGER metrics_changed ON conversation_events;
DROP TRIGGER metrics_changed ON knowledge_answers;
DROP TRIGGER metrics_changed ON quality_reviews;
DROP TRIGGER metrics_changed ON csat_responses;
DROP TRIGGER metrics_changed ON sla_breaches;
DROP TRIGGER metrics_changed_delete ON messages;
DROP TRIGGER metrics_changed ON messages;
DROP TRIGGER metrics_changed_update ON conversations;
DROP TRIGGER metrics_changed ON conversations;
DROP FUNCTION mark_metrics_changed();
DROP TABLE metric_marks;
DROP TABLE metric_day_scenarios;
DROP TABLE metric_day_intents;
DROP TABLE metric_days;
DROP TABLE metric_zones;
