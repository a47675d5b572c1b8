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

// composerMode is whether the reply box is in note mode, and its send
// button's text.
func composerMode(t *testing.T, ctx context.Context) (note bool, button string) {
	t.Helper()
	v := get(t, ctx, "the composer's mode", chromedp.Evaluate[[]any](`[document.getElementById('reply-internal').checked &&
		document.getElementById('reply-form').classList.contains('note-mode'), document.getElementById('reply-send').textContent]`))
	return v[0].(bool), v[1].(string)
}

// internalNote: ticking "Internal note" turns the composer yellow and its
// button into "Add internal note"; the note joins the thread as a note
// signed by its author, and the mode stays for the next message in the
// same conversation.
func internalNote(t *testing.T, ctx context.Context, author string) {
	if note, button := composerMode(t, ctx); note || button != "Send reply" {
		t.Fatalf("the composer starts in note mode %v with the button %q, want a public reply and \"Send reply\"", note, button)
	}
	do(t, ctx, "note mode", chromedp.Click(css(`#reply-internal`)), chromedp.WaitVisible(css(`#reply-form.note-mode`)))
	if note, button := composerMode(t, ctx); !note || button != "Add internal note" {
		t.Fatalf("ticking Internal note leaves note mode %v and the button %q", note, button)
	}
	if bg := get(t, ctx, "the note's colour", chromedp.Evaluate[string](`getComputedStyle(document.getElementById('reply-form')).backgroundColor`)); bg == "rgb(255, 255, 255)" {
		t.Fatal("the composer in note mode looks like a reply's")
	}
	screenshot(t, ctx, "note-mode")
	do(t, ctx, "add a note",
		chromedp.SendKeys(css(`#reply-body`), "Checked the warehouse: it left today."),
		chromedp.Click(css(`#reply-send`)),
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('#thread li.msg.note .msg-body')].some(e => e.textContent === "Checked the warehouse: it left today.")`),
		chromedp.Poll[chromedp.Void](`!document.getElementById('reply-send').disabled`))
	replyAuthor(t, ctx, "Checked the warehouse: it left today.", author)
	if note, button := composerMode(t, ctx); !note || button != "Add internal note" {
		t.Fatalf("after adding a note the composer is in note mode %v with the button %q, want it to stay in note mode", note, button)
	}
}

// publicAfterSwitch: once another conversation was opened, the composer
// is back to a public reply.
func publicAfterSwitch(t *testing.T, ctx context.Context) {
	if note, button := composerMode(t, ctx); note || button != "Send reply" {
		t.Fatalf("after opening another conversation the composer is in note mode %v with the button %q, want a public reply", note, button)
	}
}

// noteDraftKeepsMode: a note half written in one conversation is still a
// note when the agent comes back to it from another one, not a reply the
// customer would be sent; cleared, the composer is a public reply again.
func noteDraftKeepsMode(t *testing.T, ctx context.Context) {
	const draft = "Refund approved by Li? Ask before answering."
	first := get(t, ctx, "selected", chromedp.Evaluate[string](`document.querySelector('#conv-list li.selected').dataset.id`))
	do(t, ctx, "half a note",
		chromedp.Click(css(`#reply-internal`)), chromedp.WaitVisible(css(`#reply-form.note-mode`)),
		chromedp.SendKeys(css(`#reply-body`), draft),
		chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`),
		chromedp.KeyEvent("k"), chromedp.WaitVisible(css(`#conv-list li.selected:not([data-id="`+first+`"])`)),
		chromedp.KeyEvent("j"), chromedp.WaitVisible(css(`#conv-list li.selected[data-id="`+first+`"]`)),
		chromedp.Poll[chromedp.Void](`document.getElementById('reply-body').value === `+jsString(draft)))
	if note, button := composerMode(t, ctx); !note || button != "Add internal note" {
		t.Fatalf("back at a half-written note the composer is in note mode %v with the button %q, want note mode", note, button)
	}
	do(t, ctx, "clear the note",
		chromedp.Evaluate[chromedp.Void](`(() => { const b = document.getElementById('reply-body'); b.value = ''; b.dispatchEvent(new Event('input')); })()`),
		chromedp.Click(css(`#reply-internal`)), chromedp.WaitNotPresent(css(`#reply-form.note-mode`)),
		chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
}

// noSnoozeWhenResolved: a resolved conversation offers Reopen, not
// "Snooze 4h".
func noSnoozeWhenResolved(t *testing.T, ctx context.Context) {
	if get(t, ctx, "snooze on a resolved conversation", chromedp.Evaluate[bool](`!document.getElementById('snooze-btn').hidden`)) {
		t.Fatal("a resolved conversation offers Snooze 4h")
	}
}
