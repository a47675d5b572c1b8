package api_test

import (
	"net/http"
	"testing"
	"time"
)

// A snooze ends within a year and not in the past; any other time is a 422
// naming snoozed_until, and the conversation stays as it was.
func TestSnoozeTimeIsBounded(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Snooze Bounds")
	m := h.post(in, msg("web", map[string]string{"external_id": "bounded"}, "remind me later"))
	path := "/v1/conversations/" + m.str("conversation_id")
	for name, until := range map[string]string{
		"Year9999":        "9999-12-31T23:59:59Z",
		"TwoYearsAhead":   time.Now().AddDate(2, 0, 0).UTC().Format(time.RFC3339),
		"JustOverOneYear": time.Now().AddDate(1, 0, 1).UTC().Format(time.RFC3339),
		"InThePast":       time.Now().Add(-time.Hour).UTC().Format(time.RFC3339),
		"ZeroTime":        "0001-01-01T00:00:00Z",
	} {
		t.Run("Refused"+name, func(t *testing.T) {
			r := h.do(call{method: "PATCH", path: path, token: in.agent,
				body: map[string]any{"status": "snoozed", "snoozed_until": until}})
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("snoozed until %s: %d, want 422: %s", until, r.Status, r.Raw)
				h.do(call{method: "PATCH", path: path, token: in.agent, body: map[string]any{"status": "open"}})
			} else if r.fieldOf() != "snoozed_until" {
				t.Errorf("the 422 does not name snoozed_until: %s", r.Raw)
			}
			c := h.do(call{method: "GET", path: path, token: in.agent})
			if c.str("status") != "open" || c.JSON["snoozed_until"] != nil {
				t.Errorf("a refused snooze changed the conversation: %s", c.Raw)
			}
		})
	}
	t.Run("ElevenMonthsAheadIsTaken", func(t *testing.T) {
		until := time.Now().AddDate(0, 11, 0).UTC().Format(time.RFC3339)
		r := h.must(http.StatusOK, call{method: "PATCH", path: path, token: in.agent,
			body: map[string]any{"status": "snoozed", "snoozed_until": until}})
		if r.str("status") != "snoozed" {
			t.Errorf("not snoozed: %s", r.Raw)
		}
	})
}
