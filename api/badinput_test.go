package api_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/api"
)

// rowCounts counts every foundation table through the system role, so a
// test can assert that a rejected request changed nothing.
func rowCounts(t *testing.T) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"tenants", "users", "memberships", "sessions", "api_keys", "invitations", "audit_log", "idempotency_keys"} {
		out[table] = int64(countOf(t, "SELECT count(*) FROM "+table))
	}
	return out
}

func TestBadInputIsRejectedAndChangesNothing(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.BodyLimit = 64 << 10 })
	ws := h.signup("Bad Input Brand")
	signup := func(body string) call {
		return call{method: "POST", path: "/v1/signup", body: body, invalid: true}
	}
	cases := []struct {
		name   string
		call   call
		status int
		field  string // the field the problem must name, if any
	}{
		{"MalformedJSON", signup(`{"email": "x@example.com",`), 400, ""},
		{"NotAnObject", signup(`["a"]`), 400, ""},
		{"TwoValues", signup(`{} {}`), 400, ""},
		{"EmptyBody", signup(``), 400, ""},
		{"InvalidUTF8", signup("{\"email\":\"\xff\xfe@example.com\"}"), 400, ""},
		{"UnknownField", signup(`{"email":"u@example.com","password":"correct horse battery","brand_name":"X","plan":"premium"}`), 422, "plan"},
		{"WrongType", signup(`{"email":42,"password":"correct horse battery","brand_name":"X"}`), 422, "email"},
		{"BadEmail", signup(`{"email":"not-an-email","password":"correct horse battery","brand_name":"X"}`), 422, "email"},
		{"MissingBrand", signup(`{"email":"u@example.com","password":"correct horse battery"}`), 422, "brand_name"},
		{"WeakPasswordShort", signup(`{"email":"u@example.com","password":"short","brand_name":"X"}`), 422, "password"},
		{"WeakPasswordCommon", signup(`{"email":"u@example.com","password":"password123","brand_name":"X"}`), 422, "password"},
		{"DuplicateEmail", signup(`{"email":"` + strings.ToUpper(ws.OwnerEmail) + `","password":"correct horse battery","brand_name":"Again"}`), 409, "email"},
		{"NotJSONContentType", call{method: "POST", path: "/v1/auth/login", body: "email=x", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, invalid: true}, 415, ""},
		{"BadLimit", call{method: "GET", path: "/v1/audit-log?limit=0", token: ws.OwnerToken, invalid: true}, 422, "limit"},
		{"BadCursor", call{method: "GET", path: "/v1/audit-log?cursor=%27%3B%20DROP%20TABLE", token: ws.OwnerToken, invalid: true}, 422, "cursor"},
		{"UnknownScope", call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: `{"name":"k","scopes":["admin:all"]}`, invalid: true}, 422, "scopes[0]"},
		{"KeyForBilling", call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: `{"name":"k","scopes":["api_keys:write"]}`, invalid: true}, 422, "scopes[0]"},
		{"PastExpiry", call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: `{"name":"k","scopes":["triage:run"],"expires_at":"2001-01-01T00:00:00Z"}`}, 422, "expires_at"},
		{"BadTimeInBody", call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: `{"name":"k","scopes":["triage:run"],"expires_at":"2031-13-01T00:00:00Z"}`, invalid: true}, 422, "expires_at"},
		{"BadIDInBody", call{method: "POST", path: "/v1/messages", token: ws.OwnerToken, body: `{"channel":"web","customer":{"email":"c@example.com"},"body":"hi","conversation_id":"not-an-id"}`, invalid: true}, 422, "conversation_id"},
		{"InviteOwnerRole", call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken, body: `{"email":"x@example.com","role":"owner"}`, invalid: true}, 422, "role"},
		{"NULInBody", signup(`{"email":"n@example.com","password":"correct horse battery","brand_name":"Tea\u0000House"}`), 400, ""},
		{"NULInQuery", call{method: "GET", path: "/v1/audit-log?cursor=%00", token: ws.OwnerToken, invalid: true}, 400, ""},
		{"GarbageToken", call{method: "GET", path: "/v1/me", token: "'; DROP TABLE users; --"}, 401, ""},
		{"ExpiredShapeToken", call{method: "GET", path: "/v1/me", token: "dps_00000000000000000000000000000000_" + strings.Repeat("A", 43)}, 401, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := rowCounts(t)
			r := h.do(tc.call)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			if r.str("detail") == "" || r.str("type") == "" || r.str("title") == "" {
				t.Errorf("problem lacks type/title/detail: %s", r.Raw)
			}
			if tc.field != "" && !strings.Contains(string(r.Raw), `"field":"`+tc.field+`"`) {
				t.Errorf("problem does not name the field %q: %s", tc.field, r.Raw)
			}
			after := rowCounts(t)
			for table, n := range before {
				if after[table] != n {
					t.Errorf("%s changed from %d to %d rows", table, n, after[table])
				}
			}
		})
	}
}

func TestHostileStringsAreStoredIntact(t *testing.T) {
	h := newHarness(t, nil)
	brand := `Robert'); DROP TABLE tenants;-- 🍵 茶叶 «ünïcödé» \u0000-free \" <script>`
	r := h.must(http.StatusCreated, call{method: "POST", path: "/v1/signup",
		body: map[string]string{"email": uniqueEmail("hostile"), "password": goodPassword, "brand_name": brand}})
	got := h.must(http.StatusOK, call{method: "GET", path: "/v1/workspace", token: r.str("token")})
	if got.str("name") != brand {
		t.Fatalf("name = %q, want %q", got.str("name"), brand)
	}
	key := h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: r.str("token"),
		body: map[string]any{"name": "键 ' OR 1=1 --", "scopes": []string{"triage:run"}}})
	if key.str("name") != "键 ' OR 1=1 --" {
		t.Fatalf("key name = %q", key.str("name"))
	}
}

func TestOversizedBodyOverTheNetwork(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.BodyLimit = 64 << 10 })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go h.srv.Serve(ln)
	defer h.srv.Shutdown(context.Background())
	before := rowCounts(t)
	body := `{"email":"big@example.com","password":"correct horse battery","brand_name":"` + strings.Repeat("x", 70<<10) + `"}`
	// Write the request by hand: the server answers 413 as soon as it has
	// read the headers and may close before the body is sent, which an
	// http.Client reports as a write error instead of the response.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go fmt.Fprintf(conn, "POST /v1/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("status %d %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	if !strings.Contains(string(raw), "over 64 KB") {
		t.Errorf("the 413 does not say the limit: %s", raw)
	}
	after := rowCounts(t)
	if after["tenants"] != before["tenants"] || after["users"] != before["users"] {
		t.Fatal("an oversized signup changed the database")
	}
}
