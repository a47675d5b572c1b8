package api_test

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/api"
)

// TestRequestLog: with LogRequests (development), every request is logged
// at info with its route pattern, status and time; without it, an info
// logger stays quiet about requests that went well.
func TestRequestLog(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Request Log Brand")
	for _, on := range []bool{true, false} {
		var buf bytes.Buffer
		deps := h.deps
		deps.Log = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
		cfg := api.DefaultConfig()
		cfg.LogRequests = on
		srv := api.New(cfg, deps)
		req := httptest.NewRequest("GET", "/v1/conversations/00000000-0000-4000-8000-000000000001", nil)
		req.Header.Set("Authorization", "Bearer "+ws.OwnerToken)
		resp, err := srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		line := buf.String()
		if !on {
			if strings.Contains(line, "msg=request") {
				t.Errorf("requests logged without LogRequests: %s", line)
			}
			continue
		}
		for _, want := range []string{"level=INFO", "msg=request", "method=GET", "route=/v1/conversations/:conversation_id", "status=404", "ms="} {
			if !strings.Contains(line, want) {
				t.Errorf("the request log lacks %q: %s", want, line)
			}
		}
	}
}
