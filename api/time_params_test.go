package api_test

import (
	"net/http"
	"net/url"
	"testing"
)

// A time parameter given explicitly is used or refused, never read as "not
// given": the zero time and times out of range are a 422 naming the
// parameter.
func TestTimeParamsRefuseZeroAndOutOfRange(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Time Params")
	al := h.must(http.StatusCreated, call{method: "POST", path: "/v1/alliances", token: ws.OwnerToken,
		body: map[string]string{"name": "Time Params Alliance"}})
	alliance := "/v1/alliances/" + al.str("id")
	bad := []string{"0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "2100-01-01T00:00:00Z"}
	for _, tc := range []struct{ path, param string }{
		{"/v1/metrics", "from"},
		{"/v1/metrics", "to"},
		{alliance + "/usage", "from"},
		{alliance + "/usage", "to"},
		{alliance + "/metrics", "from"},
		{alliance + "/metrics", "to"},
		{"/v1/conversations", "updated_since"},
	} {
		for _, v := range bad {
			uri := tc.path + "?" + tc.param + "=" + url.QueryEscape(v)
			r := h.do(call{method: "GET", path: uri, token: ws.OwnerToken})
			if r.Status != http.StatusUnprocessableEntity || r.fieldOf() != tc.param {
				t.Errorf("GET %s = %d, want 422 naming %s: %s", uri, r.Status, tc.param, r.Raw)
			}
		}
	}
	t.Run("InRangeIsTaken", func(t *testing.T) {
		h.must(http.StatusOK, call{method: "GET", path: "/v1/metrics?from=" + url.QueryEscape("2026-11-01T00:00:00Z") +
			"&to=" + url.QueryEscape("2026-11-08T00:00:00+08:00"), token: ws.OwnerToken})
		h.must(http.StatusOK, call{method: "GET", path: alliance + "/usage?from=" + url.QueryEscape("2026-11-01T00:00:00Z"), token: ws.OwnerToken})
		h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations?updated_since=" + url.QueryEscape("2026-11-01T00:00:00Z"), token: ws.OwnerToken})
	})
}
