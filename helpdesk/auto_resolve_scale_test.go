package helpdesk_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/google/uuid"
)

// TestAutoCloseSweepReadsNoIdleConversations checks that the sweep's
// search for workspaces with work due, which every worker runs each
// minute across all workspaces, reaches conversations only through an
// index bounded by the rule's clock: a workspace's pending conversations
// (with no resolve rule) and its recently resolved ones, which are due
// nowhere, are never read one by one.
func TestAutoCloseSweepReadsNoIdleConversations(t *testing.T) {
	admin, err := sql.Open("pgx", testenv.DSN("postgres", env.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	tenantID := uuid.New()
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Rows no sweep acts on: pending without a resolve rule, resolved an
	// hour ago, open and closed ones. The customers are left out.
	for _, q := range []string{
		`SET session_replication_role = replica`,
		`INSERT INTO tenants (id, slug, name) VALUES ('` + tenantID.String() + `', 'idle-` + tenantID.String() + `', 'Idle')`,
		`INSERT INTO conversations (tenant_id, id, customer_id, status, channel, last_channel, last_message_at, resolved_at, closed_at)
			SELECT '` + tenantID.String() + `', gen_random_uuid(), gen_random_uuid(), s, 'web', 'web', now() - interval '30 days',
				CASE WHEN s IN ('resolved', 'closed') THEN now() - interval '1 hour' END, CASE WHEN s = 'closed' THEN now() END
			FROM generate_series(1, 20000) g, LATERAL (SELECT (ARRAY['pending', 'resolved', 'open', 'closed'])[g % 4 + 1] AS s) x`,
		`SET session_replication_role = origin`,
		`ANALYZE conversations`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var plan []byte
	err = env.System.Raw(`EXPLAIN (FORMAT JSON) `+helpdesk.DueWorkspacesSQL,
		map[string]any{"at": time.Now()}).Row().Scan(&plan)
	if err != nil {
		t.Fatal(err)
	}
	var nodes []map[string]any
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		if n["Relation Name"] == "conversations" {
			nodes = append(nodes, n)
		}
		kids, _ := n["Plans"].([]any)
		for _, k := range kids {
			walk(k.(map[string]any))
		}
	}
	var doc []struct{ Plan map[string]any }
	if err := json.Unmarshal(plan, &doc); err != nil || len(doc) != 1 {
		t.Fatalf("plan %s: %v", plan, err)
	}
	walk(doc[0].Plan)
	if len(nodes) == 0 {
		t.Fatalf("the plan reads no conversations: %s", plan)
	}
	for _, n := range nodes {
		cond, _ := n["Index Cond"].(string)
		if !strings.Contains(cond, "tenant_id") || !(strings.Contains(cond, "resolved_at") || strings.Contains(cond, "last_message_at")) {
			t.Fatalf("conversations read by %v (index condition %q), not by a workspace's rule clock: %s", n["Node Type"], cond, plan)
		}
	}
}
