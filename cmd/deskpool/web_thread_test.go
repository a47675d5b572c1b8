package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// replyAuthor: the thread names who wrote the agent's reply (the owner,
// who gave no name, by email), not just "Agent".
func replyAuthor(t *testing.T, ctx context.Context, body, want string) {
	t.Helper()
	author := get(t, ctx, "the reply's author", chromedp.Evaluate[string](`(() => {
		const li = [...document.querySelectorAll('#thread li.msg.outbound')].find(li => li.querySelector('.msg-body').textContent === `+jsString(body)+`);
		return li ? li.querySelector('.msg-author').textContent : '';
	})()`))
	if author != want {
		t.Fatalf("the thread names the author of %q %q, want %q", body, author, want)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
