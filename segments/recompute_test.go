package segments_test

import (
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/segments"
)

// TestSegmentsFromOrders: the tiers, flags and RFM scores of a fixture of
// orders, computed by hand from the defaults (CNY; high value over
// 20,000 a year, core 5,000-20,000, mass below; 3+ orders in 30 days is
// high frequency), through the path the binary takes: pushed orders queue
// the recompute task, the task scores in SQL. Then a new large order
// moves a customer up a tier, kept in the history and announced.
func TestSegmentsFromOrders(t *testing.T) {
	f := newFixture(t, inventory.DefaultConfig())
	// Ann: 12,000 + 9,000 = 21,000 within the year: high value; last order
	// 10 days ago (R5), 2 orders (F2), over 20,000 (M5); 1 order in 30 days.
	f.order("A1", "ann@example.com", "12000.00", 10, "paid", "")
	f.order("A2", "ann@example.com", "9000.00", 40, "paid", "")
	// Bob: 3 orders in the last 30 days, 5,100 in all: core, high frequency;
	// R5, F3, M4.
	f.order("B1", "bob@example.com", "1000.00", 2, "paid", "")
	f.order("B2", "bob@example.com", "1500.00", 9, "paid", "")
	f.order("B3", "bob@example.com", "2600.00", 20, "paid", "")
	// Cy: 4,000 100 days ago; 3,000 400 days ago is out of the year: mass;
	// R3 (within 180 days), F1, M3 (at least half of core's 5,000).
	f.order("C1", "cy@example.com", "4000.00", 100, "paid", "")
	f.order("C2", "cy@example.com", "3000.00", 400, "paid", "")
	// Dee: a cancelled 30,000 does not count; 500 paid: mass; R5, F1, M1.
	f.order("D1", "dee@example.com", "30000.00", 3, "cancelled", "")
	f.order("D2", "dee@example.com", "500.00", 5, "paid", "")
	// Eve: 6,000 CNY counts, 50,000 USD does not: core; M4.
	f.order("E1", "eve@example.com", "6000.00", 60, "paid", "")
	f.order("E2", "eve@example.com", "50000.00", 61, "paid", "USD")

	if n := f.runQueued(segments.TaskRecompute); n == 0 {
		t.Fatal("pushing orders queued no recompute")
	}
	want := map[string]struct {
		segment string
		hf      bool
		rfm     helpdesk.RFM
	}{
		"ann@example.com": {"high_value", false, helpdesk.RFM{Recency: 5, Frequency: 2, Monetary: 5}},
		"bob@example.com": {"core", true, helpdesk.RFM{Recency: 5, Frequency: 3, Monetary: 4}},
		"cy@example.com":  {"mass", false, helpdesk.RFM{Recency: 3, Frequency: 1, Monetary: 3}},
		"dee@example.com": {"mass", false, helpdesk.RFM{Recency: 5, Frequency: 1, Monetary: 1}},
		"eve@example.com": {"core", false, helpdesk.RFM{Recency: 4, Frequency: 2, Monetary: 4}},
	}
	for email, w := range want {
		c := f.customer(email)
		if c.Segment != w.segment || c.HighFrequency != w.hf || c.RFM != w.rfm {
			t.Errorf("%s: segment %q hf %v rfm %+v, want %q %v %+v", email, c.Segment, c.HighFrequency, c.RFM, w.segment, w.hf, w.rfm)
		}
	}
	// The filter finds the tier.
	list, err := f.helpdesk.FindCustomers(f.ctx, helpdesk.CustomerFilter{Traits: helpdesk.CustomerTraits{Segment: "core"}, Limit: 10})
	if err != nil || len(list) != 2 {
		t.Fatalf("segment=core: %v %s", err, dump(list))
	}

	t.Run("NewLargeOrderChangesTier", func(t *testing.T) {
		cy := f.customer("cy@example.com")
		before := countOf(t, `SELECT count(*) FROM customer_segment_changes WHERE tenant_id = ? AND customer_id = ?`, f.tenantID, cy.ID)
		// Cy: 4,000 + 17,000 = 21,000: high value now.
		f.order("C3", "cy@example.com", "17000.00", 0, "paid", "")
		f.runQueued(segments.TaskRecompute)
		if c := f.customer("cy@example.com"); c.Segment != "high_value" || c.RFM.Recency != 5 || c.SegmentAt == nil {
			t.Fatalf("after a large order: %s", dump(c))
		}
		hist, err := f.segments.History(f.ctx, cy.ID)
		if err != nil || len(hist) != before+1 {
			t.Fatalf("history %v %s", err, dump(hist))
		}
		if h := hist[0]; h.FromSegment != "mass" || h.ToSegment != "high_value" || h.YearlySpend != "21000.00" || h.Reason != "orders changed" {
			t.Fatalf("latest change: %s", dump(h))
		}
		// Scoring again changes nothing and records nothing.
		if n, err := f.segments.Recompute(f.ctx, nil, "full recompute"); err != nil || n != 0 {
			t.Fatalf("a second full recompute: %v, %d changes", err, n)
		}
	})

	t.Run("SettingsThatOverlapAre422", func(t *testing.T) {
		_, err := f.segments.UpdateSettings(f.ctx, segments.Settings{Currency: "CNY", HighValueMin: "5000.00", CoreMin: "5000.00",
			HighFrequencyOrders: 3, HighFrequencyDays: 30})
		if deskpool.ErrorCode(err) != deskpool.EINVALID || !hasField(err, "core_min") {
			t.Fatalf("overlapping tiers: %v", err)
		}
		// Lower thresholds move Bob (5,100) to high value, after the task.
		if _, err := f.segments.UpdateSettings(f.ctx, segments.Settings{Currency: "CNY", HighValueMin: "5000.00", CoreMin: "1000.00",
			HighFrequencyOrders: 3, HighFrequencyDays: 30}); err != nil {
			t.Fatal(err)
		}
		f.runQueued(segments.TaskRecompute)
		if c := f.customer("bob@example.com"); c.Segment != "high_value" {
			t.Fatalf("after new thresholds: %s", dump(c))
		}
	})
}

func hasField(err error, field string) bool {
	var e *deskpool.Error
	if !asError(err, &e) {
		return false
	}
	for _, fe := range e.Fields {
		if fe.Field == field {
			return true
		}
	}
	return false
}

func countOf(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := env.System.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
