package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/deskpool/deskpool/api"
	"github.com/google/uuid"
)

func TestBadQueryAndPathTextIs400NamingTheParameter(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Query Text Brand")
	for _, tc := range []struct{ name, path, field string }{
		{"UrgencyInvalidUTF8", "/v1/conversations?urgency=%ff", "urgency"},
		{"OrderNumberInvalidUTF8", "/v1/orders?number=%ff", "number"},
		{"SkuInvalidUTF8", "/v1/inventory?sku=%ff", "sku"},
		{"EmailInvalidUTF8", "/v1/customers?email=%ff", "email"},
		{"CursorNUL", "/v1/audit-log?cursor=%00", "cursor"},
		{"StatusRawNUL", "/v1/conversations?status=a%00b", "status"},
		{"NameInvalidUTF8", "/v1/conversations?%fe=1", "query"},
		{"PathIDInvalidUTF8", "/v1/conversations/%ff%fe", "path"},
		{"PathIDNUL", "/v1/conversations/%00", "path"},
		{"InvitationTokenInvalidUTF8", "/v1/invitations/%c3%28/accept", "path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := "GET"
			if strings.HasSuffix(tc.path, "/accept") {
				method = "POST"
			}
			r := h.do(call{method: method, path: tc.path, token: ws.OwnerToken, invalid: true, body: map[string]string{"password": goodPassword}})
			if r.Status != http.StatusBadRequest || r.fieldOf() != tc.field {
				t.Fatalf("status %d, field %q, want 400 naming %q: %s", r.Status, r.fieldOf(), tc.field, r.Raw)
			}
		})
	}
}

func TestWrongMethodIs405WithAllow(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Method Brand")
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/v1/me", "GET, HEAD"},
		{"PUT", "/v1/conversations", "GET, HEAD"},
		{"GET", "/v1/signup", "POST"},
		{"POST", "/v1/connectors/" + uuid.NewString(), "DELETE, GET, HEAD, PATCH"},
		{"FOO", "/v1/connectors", "GET, HEAD, POST"},
	} {
		r := h.do(call{method: tc.method, path: tc.path, token: ws.OwnerToken, invalid: true})
		if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != tc.allow || r.str("type") != "https://deskpool.app/problems/method_not_allowed" {
			t.Errorf("%s %s = %d, Allow %q (want %q): %s", tc.method, tc.path, r.Status, r.Header.Get("Allow"), tc.allow, r.Raw)
		}
	}
}

func TestShopWebhookForTheZeroWorkspaceIs401(t *testing.T) {
	h := newHarness(t, nil)
	r := h.do(call{method: "POST", path: "/v1/shop-webhooks/" + uuid.Nil.String() + "/" + uuid.NewString(), body: `{"id":1}`})
	if r.Status != http.StatusUnauthorized || strings.Contains(string(r.Raw), "tenant") {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	// As any unknown workspace.
	u := h.do(call{method: "POST", path: "/v1/shop-webhooks/" + uuid.NewString() + "/" + uuid.NewString(), body: `{"id":1}`})
	if u.Status != r.Status || u.str("detail") != r.str("detail") {
		t.Fatalf("unknown workspace: %d %s, zero workspace: %d %s", u.Status, u.Raw, r.Status, r.Raw)
	}
}

// logBuffer collects a server's log records.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// records returns the JSON log records.
func (l *logBuffer) records() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(l.buf.Bytes(), []byte("\n")) {
		var m map[string]any
		if json.Unmarshal(line, &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func TestOversizedLineOrHeaderIs414Or431AtWarn(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Oversize Brand")
	logs := &logBuffer{}
	deps := h.deps
	deps.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := api.DefaultConfig()
	cfg.IPRate, cfg.IPBurst, cfg.TenantRate, cfg.TenantBurst = 1000, 1000, 1000, 1000
	srv := api.New(cfg, deps)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	base := "http://" + ln.Addr().String()
	long := func(n int) string { return strings.Repeat("A", n) }
	for _, tc := range []struct {
		name, method, path string
		header             map[string]string
		status             int
		field              string
	}{
		{"LongPathID", "GET", "/v1/conversations/" + long(5000), nil, 404, "conversation_id"},
		{"LongPathIDPatch", "PATCH", "/v1/connectors/" + long(5000), nil, 404, "connector_id"},
		{"LongCursor", "GET", "/v1/conversations?cursor=" + long(5000), nil, 422, "cursor"},
		{"CursorOver8KB", "GET", "/v1/conversations?cursor=" + long(10<<10), nil, 414, ""},
		{"LongIdempotencyKey", "POST", "/v1/api-keys", map[string]string{"Idempotency-Key": long(300)}, 422, "Idempotency-Key"},
		{"IdempotencyKey10KB", "POST", "/v1/api-keys", map[string]string{"Idempotency-Key": long(10 << 10)}, 431, "Idempotency-Key"},
		{"AnyHeaderOver4KB", "GET", "/v1/me", map[string]string{"X-Custom": long(5 << 10)}, 431, "X-Custom"},
		{"HeadersOver16KB", "GET", "/v1/me", map[string]string{"X-Custom": long(20 << 10)}, 431, ""},
		{"URLOver16KB", "GET", "/v1/conversations?cursor=" + long(20<<10), nil, 431, ""},
		{"IdempotencyKeyInvalidUTF8", "POST", "/v1/api-keys", map[string]string{"Idempotency-Key": "k\xff"}, 422, "Idempotency-Key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, base+tc.path, strings.NewReader(`{"name":"k","scopes":["triage:run"]}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+ws.OwnerToken)
			for k, v := range tc.header {
				req.Header[k] = []string{v}
			}
			resp, err := answerTo(ln.Addr().String(), req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var p struct {
				RequestID string `json:"request_id"`
				Errors    []struct{ Field string }
			}
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("status %d %q, want %d problem+json", resp.StatusCode, resp.Header.Get("Content-Type"), tc.status)
			}
			if p.RequestID == "" || resp.Header.Get("X-Request-Id") != p.RequestID {
				t.Errorf("request id %q, header %q", p.RequestID, resp.Header.Get("X-Request-Id"))
			}
			if tc.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tc.field) {
				t.Errorf("errors %+v, want the field %s", p.Errors, tc.field)
			}
			if tc.status == 414 || tc.status == 431 {
				found := false
				for _, rec := range logs.records() {
					if rec["request_id"] == p.RequestID {
						found = true
						if rec["level"] != "WARN" {
							t.Errorf("logged at %v, want WARN: %v", rec["level"], rec)
						}
					}
				}
				if !found {
					t.Errorf("no warning logged with the request id %s", p.RequestID)
				}
			}
		})
	}
	for _, rec := range logs.records() {
		if rec["level"] == "ERROR" {
			t.Errorf("logged an error: %v", rec)
		}
	}
}

// A request fasthttp cannot parse is a 400 that does not quote it back
// (the quote would hold the credentials).
func TestUnparsableRequestIsNotQuoted(t *testing.T) {
	h := newHarness(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go h.srv.Serve(ln)
	defer h.srv.Shutdown(context.Background())
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go fmt.Fprint(conn, "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dps_secret-token\r\nContent-Length: nope\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(raw), "secret-token") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("status %d: %s", resp.StatusCode, raw)
	}
}

// answerTo sends req on a connection of its own and reads the answer. The
// request is written beside the read: a server that refuses an oversized
// request answers and closes before reading all of it, which breaks the
// write (and may reset the connection before the answer is read: then it
// tries again, a few times).
func answerTo(addr string, req *http.Request) (*http.Response, error) {
	var raw bytes.Buffer
	if err := req.Write(&raw); err != nil {
		return nil, err
	}
	var last error
	for try := 0; try < 5; try++ {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return nil, err
		}
		go func() { _, _ = conn.Write(raw.Bytes()) }()
		resp, err := http.ReadResponse(bufio.NewReader(conn), req)
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			conn.Close()
			if rerr == nil {
				resp.Body = io.NopCloser(bytes.NewReader(body))
				return resp, nil
			}
			err = rerr
		}
		conn.Close()
		last = err
	}
	return nil, fmt.Errorf("no answer in 5 tries: %w", last)
}
