package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/api"
)

// sseEvent is one server-sent event.
type sseEvent struct {
	name string
	data map[string]any
}

// openChanges reads GET /v1/conversations/changes at base with token, and
// sends its events on the returned channel until ctx ends or the stream
// does (then the channel closes).
func openChanges(t *testing.T, ctx context.Context, base, token string) <-chan sseEvent {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/v1/conversations/changes", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("changes: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 64)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.data)
			case line == "" && ev.name != "":
				out <- ev
				ev = sseEvent{}
			}
		}
	}()
	return out
}

// next returns the next event named name, failing after a minute or when
// the stream ends first.
func next(t *testing.T, events <-chan sseEvent, name string) sseEvent {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("the stream ended before a %q event", name)
			}
			if ev.name == name {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %q event within a minute", name)
		}
	}
}

// TestConversationChanges: an open change stream hears, as server-sent
// events, of the conversations of its workspace that change (a customer
// message in, an agent's reply), and never of another workspace's.
func TestConversationChanges(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.StreamLifetime = 3 * time.Second })
	waitFeed(t, h.deps)
	a, b := h.signup("Stream Tea"), h.signup("Stream Tea Two")

	r := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations/changes", token: a.OwnerToken})
	if !strings.HasPrefix(string(r.Raw), "event: ready\ndata: {}\n\n") {
		t.Fatalf("a stream without changes: %q", r.Raw)
	}

	base := serve(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	streamA, streamB := openChanges(t, ctx, base, a.OwnerToken), openChanges(t, ctx, base, b.OwnerToken)
	next(t, streamA, "ready")
	next(t, streamB, "ready")

	msg := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: a.OwnerToken,
		body: map[string]any{"channel": "web", "customer": map[string]any{"email": "stream@example.com"}, "body": "Where is my parcel?"}})
	convA := msg.str("conversation_id")
	ev := next(t, streamA, "change")
	if ids, _ := ev.data["conversation_ids"].([]any); !slices.Contains(ids, any(convA)) {
		t.Fatalf("workspace A's change event %v lacks its conversation %s", ev.data, convA)
	}
	msgB := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: b.OwnerToken,
		body: map[string]any{"channel": "web", "customer": map[string]any{"email": "stream@example.com"}, "body": "Hello"}})
	evB := next(t, streamB, "change")
	idsB, _ := evB.data["conversation_ids"].([]any)
	if !slices.Contains(idsB, any(msgB.str("conversation_id"))) || slices.Contains(idsB, any(convA)) {
		t.Fatalf("workspace B's change event %v: want its own conversation and never A's %s", evB.data, convA)
	}
}
