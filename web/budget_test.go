package web_test

import (
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

var (
	assetRef  = regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`)
	importRef = regexp.MustCompile(`from '\./([^']+)'`)
)

// TestFirstLoadBudget: each page's first load (the page and every asset it
// loads, modules' imports included, as sent to a browser that accepts
// gzip) stays under the 300 KB; -v prints the figures.
func TestFirstLoadBudget(t *testing.T) {
	app := newApp(t)
	fetch := func(path string) (sent int, body string) {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept-Encoding", "gzip") // browsers get brotli for assets, smaller still
		req.Header.Set("Cookie", "dp_session=x")
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: %d, Content-Encoding %q: want 200 gzipped", path, resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
		plain, err := gunzip(raw)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return len(raw), plain
	}
	for _, page := range []string{"/login", "/signup", "/forgot", "/app/inbox", "/app/dashboard", "/app/settings", "/app/two-factor"} {
		total, html := fetch(page)
		raw := len(html)
		queue := []string{}
		for _, m := range assetRef.FindAllStringSubmatch(html, -1) {
			queue = append(queue, m[1])
		}
		seen := map[string]bool{}
		for len(queue) > 0 {
			a := queue[0]
			queue = queue[1:]
			if seen[a] {
				continue
			}
			seen[a] = true
			n, body := fetch(a)
			total, raw = total+n, raw+len(body)
			if strings.HasSuffix(a, ".js") {
				for _, m := range importRef.FindAllStringSubmatch(body, -1) {
					queue = append(queue, "/assets/"+m[1])
				}
			}
		}
		t.Logf("%-15s %2d files, %6.1f KB sent gzipped (%6.1f KB uncompressed)", page, len(seen)+1, float64(total)/1024, float64(raw)/1024)
		if total > 300*1024 {
			t.Errorf("%s: first load is %d bytes compressed, over the 300 KB budget", page, total)
		}
	}
}
