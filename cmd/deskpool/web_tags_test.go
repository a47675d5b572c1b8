package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// openConversationTags is the open conversation's tags as the API holds
// them, read from the page with its session.
func openConversationTags(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return get(t, ctx, "the conversation's tags", chromedp.Evaluate[[]string](`(async () => {
		const id = new URLSearchParams(location.search).get('c');
		const h = {'X-CSRF-Token': document.cookie.match(/dp_csrf=([^;]+)/)[1]};
		const c = await (await fetch('/v1/conversations/' + id, {credentials: 'same-origin', headers: h})).json();
		return c.tags;
	})()`, chromedp.EvalAwaitPromise))
}

// shownTags is the tags the open conversation's pane lists.
func shownTags(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return get(t, ctx, "shown tags", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#conv-tags li.tag')].map(li => li.dataset.tag)`))
}

// conversationTags: the open conversation's pane shows its tags; the agent
// adds two (typed, then Enter), is told beside the tags why the API
// refuses one of 51 characters (naming it), and removes one with its ×;
// the API holds what the pane shows.
func conversationTags(t *testing.T, ctx context.Context) {
	do(t, ctx, "no tags yet", chromedp.WaitVisible(css(`#tag-input`)))
	if tags := shownTags(t, ctx); len(tags) != 0 {
		t.Fatalf("a new conversation shows the tags %q", tags)
	}
	for i, tag := range []string{"vip", " refund request "} {
		do(t, ctx, "add the tag "+tag,
			chromedp.SendKeys(css(`#tag-input`), tag+"\r"),
			chromedp.Poll[chromedp.Void](`document.querySelectorAll('#conv-tags li.tag').length === `+string(rune('1'+i))+` && document.getElementById('tag-input').value === ''`))
	}
	if tags, api := shownTags(t, ctx), openConversationTags(t, ctx); !slices.Equal(tags, []string{"refund request", "vip"}) || !slices.Equal(api, tags) {
		t.Fatalf("after adding two tags the pane shows %q and the API holds %q", tags, api)
	}
	long := strings.Repeat("x", 51)
	do(t, ctx, "a tag too long",
		chromedp.SendKeys(css(`#tag-input`), long+"\r"),
		chromedp.WaitVisible(css(`#tag-form .field-error[data-for=tags]:not(:empty)`)))
	if msg := get(t, ctx, "the tag's error", chromedp.Text(css(`#tag-form .field-error[data-for=tags]`))); !strings.Contains(msg, long) || !strings.Contains(msg, "50 characters") {
		t.Fatalf("a tag of 51 characters is refused with %q, want the tag named and the API's rule", msg)
	}
	screenshot(t, ctx, "tags-error")
	do(t, ctx, "remove a tag",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('tag-input').value = ''`),
		chromedp.Click(css(`#conv-tags li.tag[data-tag=vip] button.tag-remove`)),
		chromedp.WaitNotPresent(css(`#conv-tags li.tag[data-tag=vip]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('#tag-form .field-error[data-for=tags]').textContent === ''`))
	if tags, api := shownTags(t, ctx), openConversationTags(t, ctx); !slices.Equal(tags, []string{"refund request"}) || !slices.Equal(api, tags) {
		t.Fatalf("after removing vip the pane shows %q and the API holds %q", tags, api)
	}
}
