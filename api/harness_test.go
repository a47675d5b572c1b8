package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/openapi"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
	code := testenv.Run(m, "api", &env)
	if f := flag.Lookup("test.run"); code == 0 && (f == nil || f.Value.String() == "") {
		code = checkCoverage()
	}
	os.Exit(code)
}

// harness drives one API server in memory, validating every request the
// test marks valid and every response against the OpenAPI document.
type harness struct {
	t      *testing.T
	srv    *api.Server
	deps   api.Deps
	router routers.Router
}

var (
	coverMu sync.Mutex
	covered = map[string]bool{} // "METHOD /path/template" seen with a documented response
)

func newHarness(t *testing.T, mutate func(*api.Config)) *harness {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.IPRate, cfg.IPBurst = 1000, 1000
	cfg.TenantRate, cfg.TenantBurst = 1000, 1000
	if mutate != nil {
		mutate(&cfg)
	}
	// Every request of the package's tests comes from one client address,
	// whose failed password checks would add up from test to test: each
	// test starts as a visitor of its own, with none counted.
	if err := env.System.Exec(`DELETE FROM password_failures WHERE subject LIKE 'ip:%'`).Error; err != nil {
		t.Fatal(err)
	}
	deps := testDeps(t)
	srv := api.New(cfg, deps)
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, srv: srv, deps: deps, router: router}
}

// call is one request of a scenario.
type call struct {
	method, path string
	token        string
	body         any               // marshalled to JSON unless a string or []byte
	header       map[string]string // extra headers
	invalid      bool              // the request breaks the contract on purpose: skip request validation
}

// result is a response, its body decoded when it is JSON.
type result struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

func (h *harness) do(c call) result {
	h.t.Helper()
	var body []byte
	switch b := c.body.(type) {
	case nil:
	case string:
		body = []byte(b)
	case []byte:
		body = b
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			h.t.Fatal(err)
		}
	}
	req := httptest.NewRequest(c.method, "http://deskpool.test"+c.path, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	route, params, rerr := h.router.FindRoute(req)
	var input *openapi3filter.RequestValidationInput
	if rerr == nil {
		input = &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		if !c.invalid {
			vreq := req.Clone(context.Background())
			vreq.Body = io.NopCloser(bytes.NewReader(body))
			input.Request = vreq
			if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
				h.t.Errorf("%s %s: request does not follow the OpenAPI document: %v", c.method, c.path, err)
			}
			input.Request = req
		}
	}
	resp, err := h.srv.App().Test(req, -1)
	if err != nil {
		h.t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r := result{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.JSON)
	if input != nil && resp.StatusCode != http.StatusMethodNotAllowed {
		rv := &openapi3filter.ResponseValidationInput{RequestValidationInput: input, Status: resp.StatusCode,
			Header: resp.Header, Body: io.NopCloser(bytes.NewReader(raw)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		if err := openapi3filter.ValidateResponse(context.Background(), rv); err != nil {
			h.t.Errorf("%s %s -> %d: response does not follow the OpenAPI document: %v\n%s", c.method, c.path, resp.StatusCode, err, raw)
		} else {
			coverMu.Lock()
			covered[strings.ToUpper(c.method)+" "+route.Path] = true
			coverMu.Unlock()
		}
	} else if rerr != nil && strings.HasPrefix(c.path, "/v1/") && resp.StatusCode != http.StatusNotFound &&
		resp.StatusCode != http.StatusMethodNotAllowed {
		h.t.Errorf("%s %s answered %d but is not in the OpenAPI document", c.method, c.path, resp.StatusCode)
	}
	if resp.StatusCode >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		h.t.Errorf("%s %s -> %d with Content-Type %q, want application/problem+json", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return r
}

// must performs the call and fails the test unless the status is want.
func (h *harness) must(want int, c call) result {
	h.t.Helper()
	r := h.do(c)
	if r.Status != want {
		h.t.Fatalf("%s %s = %d, want %d: %s", c.method, c.path, r.Status, want, r.Raw)
	}
	return r
}

// str reads a string at a dotted path of a JSON result.
func (r result) str(path string) string {
	var cur any = r.JSON
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[k]
	}
	s, _ := cur.(string)
	return s
}

// checkCoverage fails the run when an operation of the document was never
// exercised with a response that validated.
func checkCoverage() int {
	doc, err := openapi.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var missing []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !covered[method+" "+path] {
				missing = append(missing, method+" "+path)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		fmt.Fprintf(os.Stderr, "OpenAPI operations no test exercised:\n  %s\n", strings.Join(missing, "\n  "))
		return 1
	}
	return 0
}

var _ = openapi3.T{}

// countOf runs a count query through the system role; a failing query fails
// the test rather than counting zero.
func countOf(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := env.System.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// auditedOnce checks that each workspace's audit log holds exactly one
// entry of action.
func auditedOnce(t *testing.T, action string, tenantIDs ...string) {
	t.Helper()
	for _, id := range tenantIDs {
		if n := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = ?`, id, action); n != 1 {
			t.Errorf("workspace %s: %d %s entries, want 1", id, n, action)
		}
	}
}
