package segments_test

import (
	"testing"
	"time"

	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/segments"
)

// TestCompensationMetrics checks the figures of GET /v1/metrics'
// compensation against a hand-counted fixture: two conversations (intents
// refund and delivery), a grant within the limit, one over it approved by
// a senior, one over it still waiting.
func TestCompensationMetrics(t *testing.T) {
	f := newFixture(t, inventory.DefaultConfig())
	refund, delivery := f.conversation("ann@example.com"), f.conversation("bob@example.com")
	if err := env.System.Exec(`UPDATE conversations SET intent = 'delivery' WHERE tenant_id = ? AND id = ?`, f.tenantID, delivery).Error; err != nil {
		t.Fatal(err)
	}
	agent, senior := f.as("agent"), f.as("admin")
	if _, err := f.segments.Grant(agent, refund, grant("50.00")); err != nil {
		t.Fatal(err)
	}
	over, err := f.segments.Grant(agent, refund, grant("800.00"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.segments.Decide(senior, refund, over.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.segments.Grant(agent, delivery, grant("900.00")); err != nil {
		t.Fatal(err)
	}

	// The period's conversations as the service report counts them.
	counts := &segments.ConversationCounts{Total: 2, ByIntent: map[string]int{"refund": 1, "delivery": 1}}
	r, err := f.segments.CompensationMetrics(f.ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), counts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Currency != "CNY" || r.Conversations != 2 || r.Grants != 2 || r.Cost != "850.00" || r.CostPerConversation != "425.00" {
		t.Fatalf("overall: %s", dump(r))
	}
	if r.OverLimit != 2 || r.Pending != 1 || r.Rejected != 0 || r.ApprovalTime.Count != 1 || r.ApprovalTime.P50 == nil || *r.ApprovalTime.P50 < 0 {
		t.Fatalf("over limit and approval: %s", dump(r))
	}
	byIntent := map[string]string{}
	for _, c := range r.ByIntent {
		byIntent[*c.Intent] = c.Cost + "/" + c.CostPerConversation
	}
	if len(byIntent) != 2 || byIntent["refund"] != "850.00/850.00" || byIntent["delivery"] != "0.00/0.00" {
		t.Fatalf("by intent: %s", dump(r.ByIntent))
	}

	t.Run("OtherPeriodIsEmpty", func(t *testing.T) {
		r, err := f.segments.CompensationMetrics(f.ctx, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour), &segments.ConversationCounts{})
		if err != nil || r.Conversations != 0 || r.Cost != "0.00" || r.CostPerConversation != "0.00" || r.ApprovalTime.P50 != nil || len(r.ByIntent) != 0 {
			t.Fatalf("%v %s", err, dump(r))
		}
	})
	t.Run("OtherWorkspaceSeesNone", func(t *testing.T) {
		other := newFixture(t, inventory.DefaultConfig())
		r, err := other.segments.CompensationMetrics(other.ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), &segments.ConversationCounts{})
		if err != nil || r.Grants != 0 || r.OverLimit != 0 {
			t.Fatalf("%v %s", err, dump(r))
		}
	})
}
