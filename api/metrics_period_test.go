package api_test

import (
	"net/http"
	"testing"
	"time"
)

// A report period that is wrong names the parameter that was sent: a
// from in the future with no to (which is then now) is from's fault, not
// to's; a to before a given from is to's.
func TestMetricsPeriodNamesTheParameterSent(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Period Names")
	future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	past := time.Now().Add(-48 * time.Hour).UTC().Format(time.RFC3339)
	for _, tc := range []struct{ name, query, field string }{
		{"ErrInvalidFromInTheFuture", "?from=" + future, "from"},
		{"ErrInvalidToBeforeFrom", "?from=" + past + "&to=" + past, "to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/metrics" + tc.query, token: ws.OwnerToken})
			if f := r.fieldOf(); f != tc.field {
				t.Errorf("field %q, want %q: %s", f, tc.field, r.Raw)
			}
		})
	}
}
