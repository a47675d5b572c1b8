package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/openapi"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
)

// fuzzAll runs every malformed request TestFuzzAPI knows (thousands);
// without it a sample of each operation's runs in the normal suite.
var fuzzAll = flag.Bool("fuzzapi", os.Getenv("DESKPOOL_FUZZ_API") != "", "send every malformed request of TestFuzzAPI, not a sample")

// malformed is one request TestFuzzAPI sends.
type malformed struct {
	what        string // the operation and what is wrong, for the report
	method, uri string // uri as written on the request line (already escaped)
	contentType string
	body        []byte
	header      map[string]string
	sample      bool // also in the normal suite's sample
}

// TestFuzzAPI sends malformed input to every operation of the OpenAPI
// document with a valid owner session: bad JSON, wrong types, 1 MB strings,
// NUL and invalid UTF-8 in bodies, query parameters and path ids, long path
// ids, oversized headers. No answer may be a 5xx, and every error is
// problem+json. Run everything with `go test ./api -run TestFuzzAPI
// -fuzzapi` (or DESKPOOL_FUZZ_API=1); the normal suite runs a sample.
func TestFuzzAPI(t *testing.T) {
	h := newHarness(t, func(c *api.Config) {
		c.IPRate, c.IPBurst, c.TenantRate, c.TenantBurst = 1e6, 1e6, 1e6, 1e6
		c.HookIPRate, c.HookIPBurst = 1e6, 1e6
		c.BodyLimit = 4 << 20
	})
	ws := h.signup("Fuzz Brand")
	ids := fuzzIDs(h, ws)
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	var reqs []malformed
	paths := doc.Paths.Map()
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		ops := paths[p].Operations()
		methods := make([]string, 0, len(ops))
		for m := range ops {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, m := range methods {
			reqs = append(reqs, malformedFor(m, p, ops[m], ids)...)
		}
		// Methods the path does not answer, known to HTTP or not.
		for i, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO", "G\xffT"} {
			if ops[m] == nil {
				uri := strings.NewReplacer("{", "", "}", "").Replace(p)
				reqs = append(reqs, malformed{what: m + " " + p + ": method not answered", method: m, uri: uri, sample: i == 2})
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go h.srv.Serve(ln)
	defer h.srv.Shutdown(context.Background())
	token := ws.OwnerToken
	sent, fives := 0, 0
	var failures []string
	statuses := map[int]int{}
	for _, r := range reqs {
		if !*fuzzAll && !r.sample {
			continue
		}
		status, ctype, body := sendRaw(t, ln.Addr().String(), r, token)
		sent++
		statuses[status]++
		switch {
		case status >= 500:
			fives++
			failures = append(failures, fmt.Sprintf("%s -> %d %.300s", r.what, status, body))
		case status >= 400 && !strings.HasPrefix(ctype, "application/problem+json"):
			failures = append(failures, fmt.Sprintf("%s -> %d with Content-Type %q", r.what, status, ctype))
		}
		if status == http.StatusUnauthorized && !strings.Contains(r.what, "shop-webhooks") && !strings.Contains(r.what, "/accept") &&
			!strings.Contains(r.what, "/auth/login") {
			// Logging out (or a request that revoked the session) ends it:
			// sign in again and carry on.
			token = h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login",
				body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}}).str("token")
		}
	}
	t.Logf("sent %d malformed requests (of %d) to %d paths; %d answered 5xx; statuses %v", sent, len(reqs), len(keys), fives, statuses)
	for i, f := range failures {
		if i == 60 {
			t.Errorf("... and %d more", len(failures)-i)
			break
		}
		t.Error(f)
	}
}

// fuzzIDs makes one object of each kind a path can name, so that malformed
// bodies reach the handlers' decoding and the services rather than a 404.
func fuzzIDs(h *harness, ws workspace) map[string]string {
	ids := map[string]string{"tenant_id": ws.ID, "user_id": ws.OwnerID, "token": "no-such-invitation-token"}
	msg := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: ws.OwnerToken,
		body: map[string]any{"channel": "web", "customer": map[string]string{"external_id": "fuzz-1", "name": "Fuzz"}, "body": "where is my order?"}})
	ids["conversation_id"], ids["customer_id"] = msg.str("conversation_id"), msg.str("customer_id")
	conn := h.must(http.StatusCreated, call{method: "POST", path: "/v1/connectors", token: ws.OwnerToken,
		body: map[string]any{"kind": "csv", "name": "Fuzz CSV"}})
	ids["connector_id"] = conn.str("id")
	_, ids["key_id"] = h.apiKey(ws, "triage:run")
	return ids
}

// malformedFor lists the malformed requests of one operation.
func malformedFor(method, path string, op *openapi3.Operation, ids map[string]string) []malformed {
	var out []malformed
	fill := func(override map[string]string) string {
		u := path
		for {
			i := strings.Index(u, "{")
			if i < 0 {
				return u
			}
			j := strings.Index(u[i:], "}") + i
			name := u[i+1 : j]
			v, ok := override[name]
			if !ok {
				if v, ok = ids[name]; !ok {
					v = uuid.NewString()
				}
			}
			u = u[:i] + v + u[j+1:]
		}
	}
	good := fill(nil)
	base, ctype := bodyOf(op)
	name := method + " " + path
	add := func(what string, m malformed) {
		m.what, m.method = name+": "+what, method
		if m.uri == "" {
			m.uri = good
		}
		if m.body == nil && base != nil {
			m.body, m.contentType = base, ctype
		}
		out = append(out, m)
	}
	// Path parameters.
	for i, name := range pathParams(path) {
		for j, bad := range []string{"%ff%fe", "%00", "a%00b", strings.Repeat("7", 5000), "not-an-id", "%c3%28", "..%2f..%2fetc", "%e2%80%ae", "-1", "0"} {
			add(fmt.Sprintf("path %s=%.20s", name, bad), malformed{uri: fill(map[string]string{name: bad}), sample: i == 0 && j < 2})
		}
	}
	// Query parameters: the documented ones and the list's.
	query := map[string]bool{}
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == "query" {
			query[p.Value.Name] = true
		}
	}
	if method == "GET" {
		query["limit"], query["cursor"] = true, true
	}
	qnames := make([]string, 0, len(query))
	for q := range query {
		qnames = append(qnames, q)
	}
	sort.Strings(qnames)
	for i, q := range qnames {
		for j, bad := range []string{"%ff", "%00", "a%00", "%c3%28", strings.Repeat("x", 5000), strings.Repeat("x", 10<<10), "-1", "abc",
			"99999999999999999999999", "1e309", "%27%3B--", "2024-13-45T99:99:99Z", ""} {
			add(fmt.Sprintf("query %s=%.20s", q, bad), malformed{uri: good + "?" + q + "=" + bad, sample: i == 0 && j < 2})
		}
		add("query "+q+" twice", malformed{uri: good + "?" + q + "=a&" + q + "=b"})
	}
	add("query name %ff", malformed{uri: good + "?%ff=1", sample: len(qnames) == 0})
	// Headers.
	for j, hd := range []map[string]string{
		{"X-Request-Id": strings.Repeat("r", 5000)},
		{"Idempotency-Key": strings.Repeat("k", 10<<10)},
		{"Idempotency-Key": "k\xff\xfe"},
		{"Idempotency-Key": strings.Repeat("k", 300)},
		{"X-Filler": strings.Repeat("f", 20<<10)},
		{"X-Request-Id": "id\xff"},
		{"Accept-Language": "\xff\xfe"},
		{"Content-Type": "application/json; charset=\xff"},
	} {
		add(fmt.Sprintf("header %d", j), malformed{header: hd, sample: j == 1})
	}
	if base == nil {
		// Bodies sent where none is expected.
		add("unexpected body", malformed{body: []byte(`{"x":` + strings.Repeat("[", 5000)), contentType: "application/json"})
		return out
	}
	// Bodies.
	raw := []string{"", "{", "[]", "null", `"s"`, "123", "{}", "{} {}", `{"a":1,}`, "\xff\xfe", `{"x":"\u0000"}`,
		strings.Repeat("[", 20000) + strings.Repeat("]", 20000), `{"` + strings.Repeat("k", 1<<20) + `":1}`, "\x00"}
	for j, b := range raw {
		add(fmt.Sprintf("body %.30q", b), malformed{body: []byte(b), contentType: ctype, sample: j == 1})
	}
	add("body as text/plain", malformed{body: base, contentType: "text/plain"})
	add("body as form", malformed{body: []byte("a=b"), contentType: "application/x-www-form-urlencoded"})
	if ctype != "application/json" {
		for _, b := range []string{"\xff\xfe,\x00\n", strings.Repeat("x", 1<<20) + "\n", "a,b\n\"unterminated\n", "\x00\x00\x00"} {
			add(fmt.Sprintf("%s body %.20q", ctype, b), malformed{body: []byte(b), contentType: ctype})
		}
		return out
	}
	var obj map[string]any
	if json.Unmarshal(base, &obj) != nil {
		return out
	}
	props := make([]string, 0, len(obj))
	for k := range obj {
		props = append(props, k)
	}
	sort.Strings(props)
	wrong := []any{123, -1, 1.5, 1e300, true, nil, []any{}, []any{1, "x"}, map[string]any{}, map[string]any{"a": "b"},
		"x", "", strings.Repeat("s", 1<<20), "nul\x00byte", "bad \xff utf8", "2024-13-45", "-9999999999999999999", "0000-00-00T00:00:00Z"}
	for i, k := range props {
		for j, v := range wrong {
			m := map[string]any{}
			for kk, vv := range obj {
				m[kk] = vv
			}
			m[k] = v
			b := marshalLoose(m)
			add(fmt.Sprintf("field %s=%.20v", k, v), malformed{body: b, contentType: ctype, sample: i == 0 && (j == 12 || j == 14)})
		}
		// Nested objects and arrays: wrong types inside them too.
		switch sub := obj[k].(type) {
		case map[string]any:
			for kk := range sub {
				for _, v := range []any{123, "nul\x00byte", strings.Repeat("s", 1<<20), []any{}, nil} {
					m := map[string]any{}
					for a, b := range obj {
						m[a] = b
					}
					inner := map[string]any{}
					for a, b := range sub {
						inner[a] = b
					}
					inner[kk] = v
					m[k] = inner
					add(fmt.Sprintf("field %s.%s=%.20v", k, kk, v), malformed{body: marshalLoose(m), contentType: ctype})
				}
			}
		case []any:
			for _, v := range []any{123, "nul\x00byte", map[string]any{}, []any{[]any{}}, nil, strings.Repeat("s", 1<<20)} {
				m := map[string]any{}
				for a, b := range obj {
					m[a] = b
				}
				m[k] = []any{v}
				add(fmt.Sprintf("field %s[0]=%.20v", k, v), malformed{body: marshalLoose(m), contentType: ctype})
			}
		}
	}
	return out
}

// marshalLoose writes v as JSON but leaves invalid UTF-8 in strings as it
// is (encoding/json would replace it) and writes NUL as \u0000.
func marshalLoose(v any) []byte {
	b, _ := json.Marshal(v)
	// json.Marshal turned "\xff" into "\ufffd": put the raw bytes back.
	return []byte(strings.ReplaceAll(string(b), `\ufffd`, "\xff"))
}

func pathParams(path string) []string {
	var out []string
	for {
		i := strings.Index(path, "{")
		if i < 0 {
			return out
		}
		j := strings.Index(path[i:], "}") + i
		out = append(out, path[i+1:j])
		path = path[j+1:]
	}
}

// bodyOf returns a valid body of the operation (its example, or one made
// from its schema) and its content type; nil when it takes none.
func bodyOf(op *openapi3.Operation) ([]byte, string) {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil, ""
	}
	content := op.RequestBody.Value.Content
	for _, ct := range []string{"application/json", "text/csv"} {
		mt := content.Get(ct)
		if mt == nil {
			continue
		}
		if ct != "application/json" {
			return []byte("a,b\n1,2\n"), ct
		}
		if mt.Example != nil {
			b, _ := json.Marshal(mt.Example)
			return b, ct
		}
		for _, ex := range mt.Examples {
			if ex.Value != nil {
				b, _ := json.Marshal(ex.Value.Value)
				return b, ct
			}
		}
		b, _ := json.Marshal(exampleOf(mt.Schema, 0))
		return b, ct
	}
	for ct := range content {
		return []byte("x"), ct
	}
	return nil, ""
}

// exampleOf makes a value that follows a schema, roughly.
func exampleOf(ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil || depth > 5 {
		return nil
	}
	s := ref.Value
	if s.Example != nil {
		return s.Example
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	for _, all := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
		if len(all) > 0 {
			merged := map[string]any{}
			for _, r := range all {
				if m, ok := exampleOf(r, depth+1).(map[string]any); ok {
					for k, v := range m {
						merged[k] = v
					}
				} else if len(all) == 1 || s.AllOf == nil {
					return exampleOf(r, depth+1)
				}
			}
			return merged
		}
	}
	switch {
	case s.Type.Is("object") || len(s.Properties) > 0:
		m := map[string]any{}
		for k, p := range s.Properties {
			if p.Value != nil && p.Value.ReadOnly {
				continue
			}
			m[k] = exampleOf(p, depth+1)
		}
		return m
	case s.Type.Is("array"):
		return []any{exampleOf(s.Items, depth+1)}
	case s.Type.Is("integer"):
		return 1
	case s.Type.Is("number"):
		return 1.5
	case s.Type.Is("boolean"):
		return true
	case s.Format == "uuid":
		return uuid.NewString()
	case s.Format == "date-time":
		return time.Now().UTC().Format(time.RFC3339)
	case s.Format == "email":
		return "fuzz@example.com"
	case s.Format == "uri":
		return "https://example.com/x"
	}
	return "x"
}

// sendRaw writes the request by hand on a new connection (so that its
// line and headers carry bytes an http.Client would refuse) and returns
// the status, content type and body of the answer.
func sendRaw(t *testing.T, addr string, m malformed, token string) (int, string, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: deskpool.test\r\nConnection: close\r\nAuthorization: Bearer %s\r\n", m.method, m.uri, token)
	hasCT := false
	for k, v := range m.header {
		hasCT = hasCT || strings.EqualFold(k, "Content-Type")
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	if m.contentType != "" && !hasCT {
		fmt.Fprintf(&b, "Content-Type: %s\r\n", m.contentType)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(m.body))
	go func() {
		// The server may answer and close before reading a large body.
		_, _ = io.WriteString(conn, b.String())
		_, _ = conn.Write(m.body)
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, "", "no answer: " + err.Error()
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		// A change stream that opened stays open: its answer is its status
		// (the connection is closed unread; closing the body would drain it).
		return resp.StatusCode, resp.Header.Get("Content-Type"), ""
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(raw)
}
