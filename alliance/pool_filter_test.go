package alliance_test

import (
	"testing"

	"github.com/deskpool/deskpool/alliance"
)

// The pool agent's filters narrow the list in the database, and only the
// conversations listed are recorded as listed in the brand's audit log.
func TestPoolFilterListsAndAuditsOnlyMatches(t *testing.T) {
	w := newWorld(t)
	conv := ingest(t, w, w.a, "a.")
	held, _ := holder(t, w, conv)
	listed := func() int {
		return count(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'pool.listed' AND actor_id = ? AND target_id = ?`,
			w.a.ws, held.user, conv.String())
	}
	before := listed()
	for _, f := range []alliance.PoolFilter{{Intent: "refund"}, {Urgency: "low"}, {Q: "no such words"}} {
		items, err := w.svc.FindPoolFiltered(held.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 0 {
			t.Errorf("filter %+v lists %+v, want nothing", f, items)
		}
	}
	if n := listed(); n != before {
		t.Errorf("audit entries of the listing after filters that matched nothing: %d, want %d", n, before)
	}
	items, err := w.svc.FindPoolFiltered(held.ctx, alliance.PoolFilter{Intent: "order_status", Urgency: "high", Q: "DT-1001"})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].ConversationID != conv {
		t.Fatalf("filter matching the conversation lists %+v", items)
	}
	if n := listed(); n != before+1 {
		t.Errorf("audit entries of the listing: %d, want %d", n, before+1)
	}
}
