package segments_test

import (
	"testing"

	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/segments"
)

// TestDailyRecomputeAgesSegments: with no new order, a high-value
// customer whose orders left the year is moved down by the daily pass,
// and a frequent buyer whose orders left the 30 days loses the flag; the
// change is kept in the history with the pass as its reason.
func TestDailyRecomputeAgesSegments(t *testing.T) {
	f := newFixture(t, inventory.DefaultConfig())
	f.order("H1", "hal@example.com", "25000.00", 300, "paid", "")
	for i, ext := range []string{"I1", "I2", "I3"} {
		f.order(ext, "ida@example.com", "100.00", 20+i, "paid", "")
	}
	f.runQueued(segments.TaskRecompute)
	if c := f.customer("hal@example.com"); c.Segment != "high_value" {
		t.Fatalf("before: %s", dump(c))
	}
	if c := f.customer("ida@example.com"); !c.HighFrequency {
		t.Fatalf("before: %s", dump(c))
	}
	// Time passes: the orders grow older, nothing new comes in.
	if err := env.System.Exec(`UPDATE orders SET created_at = created_at - interval '70 days' WHERE tenant_id = ?`, f.tenantID).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := f.segments.ScheduleDailyRecompute(f.ctx, env.System); err != nil || n == 0 {
		t.Fatalf("%d workspaces: %v", n, err)
	}
	if n := f.runQueued(segments.TaskRecompute); n != 1 {
		t.Fatalf("%d recompute tasks for the workspace, want 1", n)
	}
	if c := f.customer("hal@example.com"); c.Segment != "mass" || c.RFM.Recency != 1 {
		t.Fatalf("after a year: %s", dump(c))
	}
	if c := f.customer("ida@example.com"); c.HighFrequency {
		t.Fatalf("after 30 days: %s", dump(c))
	}
	var n int64
	if err := env.System.Raw(`SELECT count(*) FROM customer_segment_changes WHERE tenant_id = ? AND reason = 'daily recompute'`,
		f.tenantID).Scan(&n).Error; err != nil || n != 2 {
		t.Fatalf("%d changes by the daily pass: %v", n, err)
	}
}
