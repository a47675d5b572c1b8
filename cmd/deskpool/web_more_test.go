package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// inboxShowsMore: with more conversations than the inbox's first page
// (50), the inbox offers "Show more"; it widens the list to the next page,
// which a change re-read keeps, and then hides, as nothing more exists.
// Keys that move faster than the server answers still land where pressed.
func inboxShowsMore(t *testing.T, ctx context.Context, base, token string) {
	for i := range 50 {
		postJSON(t, base+"/v1/messages", token, map[string]any{"channel": "web",
			"customer": map[string]any{"email": fmt.Sprintf("shopper%d@example.com", i)}, "body": fmt.Sprintf("Is the oolong tin %d back in stock?", i)}, http.StatusCreated)
	}
	total := len(getJSON(t, base+"/v1/conversations?status=open,pending&limit=200", token)["data"].([]any)) // as the inbox lists them
	do(t, ctx, "an inbox of more than a page", chromedp.Navigate(base+"/app/inbox"),
		chromedp.WaitVisible(css(`#conv-list li:nth-child(50)`)), chromedp.WaitVisible(css(`#list-more-btn`)))
	if n := get(t, ctx, "rows", chromedp.Evaluate[int](`document.querySelectorAll('#conv-list li').length`)); n != 50 {
		t.Fatalf("the inbox's first page shows %d of %d conversations, want 50", n, total)
	}
	do(t, ctx, "show more", chromedp.Click(css(`#list-more-btn`)),
		chromedp.WaitVisible(css(fmt.Sprintf(`#conv-list li:nth-child(%d)`, total))), chromedp.WaitNotVisible(css(`#list-more-btn`)))
	postJSON(t, base+"/v1/messages", token, map[string]any{"channel": "web",
		"customer": map[string]any{"email": "late@example.com"}, "body": "One more question about the oolong"}, http.StatusCreated)
	do(t, ctx, "a change keeps the wider list", chromedp.WaitVisible(css(fmt.Sprintf(`#conv-list li:nth-child(%d)`, total+1))))
	// j pressed twice before the first conversation's read answers moves
	// two down, not one.
	do(t, ctx, "j twice at once", clickLive(`#conv-list li:nth-child(1) a.conv-link`),
		chromedp.WaitVisible(css(`#conv-list li:nth-child(1).selected`)),
		chromedp.KeyEvent("j"), chromedp.KeyEvent("j"),
		chromedp.WaitVisible(css(`#conv-list li:nth-child(3).selected`)))
	if hint := get(t, ctx, "the hint", chromedp.Evaluate[bool](`document.querySelector('#list-more').hidden`)); !hint {
		t.Fatal("the hint that only the newest 200 are shown is visible with fewer than 200")
	}
}
