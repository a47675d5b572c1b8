package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// otherWorkspace404: another workspace's conversation id in the inbox's URL
// shows the full 404 view (nothing of that conversation), as does an id
// that exists nowhere; an unknown app path answers HTTP 404 with the page.
func otherWorkspace404(t *testing.T, ctx context.Context, base string) {
	other := postJSON(t, base+"/v1/signup", "", map[string]any{"email": "owner@othertea.example", "password": "a long passphrase", "brand_name": "Other Tea"}, http.StatusCreated)
	msg := postJSON(t, base+"/v1/messages", other["token"].(string), map[string]any{"channel": "email", "subject": "Secret order",
		"customer": map[string]any{"email": "wang@example.com", "name": "Wang Fang"}, "body": "Only Other Tea may read this."}, http.StatusCreated)
	for _, id := range []string{msg["conversation_id"].(string), "01a24321-be76-7c33-902f-6ffdc8dc6d8f"} {
		do(t, ctx, "open a conversation of another workspace", chromedp.Navigate(base+"/app/inbox?c="+id),
			chromedp.WaitVisible(css(`body[data-ready="1"]`)), chromedp.WaitVisible(css(`#not-found`)))
		hidden := get(t, ctx, "inbox hidden", chromedp.Evaluate[bool](`document.querySelector('main.inbox').hidden`))
		title := get(t, ctx, "title", chromedp.Title())
		page := get(t, ctx, "page text", chromedp.Text(css(`body`)))
		if !hidden || !strings.HasPrefix(title, "未找到") || strings.Contains(page, "Only Other Tea") || strings.Contains(page, "Secret order") {
			t.Fatalf("conversation %s: inbox hidden %v, title %q, page %q", id, hidden, title, page)
		}
	}
	screenshot(t, ctx, "not-found-zh")
	status := get(t, ctx, "an unknown app path", chromedp.Evaluate[int](`fetch('/app/nowhere').then(r => r.status)`, chromedp.EvalAwaitPromise))
	if status != http.StatusNotFound {
		t.Fatalf("an unknown app path answered %d, want 404", status)
	}
}
