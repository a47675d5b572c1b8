package segments_test

import (
	"testing"

	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/segments"
)

// TestTriageSeesHighFrequency: once the recompute flags a customer with 3
// orders in 30 days, their next message reaches the triage with the flag
// (and the segment), so the triage and the SLA policies can put them first.
func TestTriageSeesHighFrequency(t *testing.T) {
	f := newFixture(t, inventory.DefaultConfig())
	for i, ext := range []string{"F1", "F2", "F3"} {
		f.order(ext, "fay@example.com", "100.00", i+1, "paid", "")
	}
	f.order("G1", "gil@example.com", "100.00", 1, "paid", "")
	f.runQueued(segments.TaskRecompute)
	f.conversation("fay@example.com")
	if !f.triaged.HighFrequency || f.triaged.Segment != "mass" {
		t.Fatalf("frequent buyer triaged with %+v", f.triaged)
	}
	f.conversation("gil@example.com")
	if f.triaged.HighFrequency {
		t.Fatalf("one-order buyer triaged with %+v", f.triaged)
	}
}
