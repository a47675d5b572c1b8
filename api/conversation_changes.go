package api

import (
	"bufio"
	"encoding/json"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// streamPing is how often an idle change stream sends a comment line, so
// that proxies keep it open and a departed client is noticed.
const streamPing = 15 * time.Second

// defaultStreamLifetime ends a change stream before the server's write
// timeout would; the client reconnects and re-reads its list.
const defaultStreamLifetime = 25 * time.Second

// changeEvent is the data of a "change" event.
type changeEvent struct {
	ConversationIDs []uuid.UUID `json:"conversation_ids"`
	// All says changes may have been missed: re-read the whole list.
	All bool `json:"all"`
}

// conversationChanges: GET /v1/conversations/changes, server-sent events
// (text/event-stream) telling the caller's workspace's inbox that
// conversations changed: "ready" once subscribed (re-read the list then:
// changes before it are not sent), then "change" with the ids of the
// conversations changed, as they commit in any process. The stream ends
// after a while; the client reconnects.
func (s *Server) conversationChanges(c *fiber.Ctx) error {
	feed := s.deps.Feed
	if feed == nil {
		return deskpool.Errorf(deskpool.EUNAVAILABLE, "This server does not stream changes: poll GET /v1/conversations?updated_since= instead.")
	}
	sub := feed.Subscribe(actor(c).TenantID)
	lifetime := s.cfg.StreamLifetime
	if lifetime <= 0 {
		lifetime = defaultStreamLifetime
	}
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no") // nginx: pass events on as they come
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer feed.Unsubscribe(sub)
		streamChanges(w, sub, lifetime, s.stopping)
	})
	return nil
}

// streamChanges writes the events of sub to w until lifetime passes, the
// client is gone or the server stops.
func streamChanges(w *bufio.Writer, sub *helpdesk.FeedSubscription, lifetime time.Duration, stopping <-chan struct{}) {
	send := func(event string, data any) bool {
		raw, _ := json.Marshal(data)
		_, _ = w.WriteString("event: " + event + "\ndata: ")
		_, _ = w.Write(raw)
		_, _ = w.WriteString("\n\n")
		return w.Flush() == nil
	}
	if !send("ready", struct{}{}) {
		return
	}
	end := time.NewTimer(lifetime)
	defer end.Stop()
	ping := time.NewTicker(streamPing)
	defer ping.Stop()
	for {
		select {
		case <-sub.Wake():
			ids, all := sub.Take()
			if len(ids) == 0 && !all {
				continue
			}
			if ids == nil {
				ids = []uuid.UUID{}
			}
			if !send("change", changeEvent{ConversationIDs: ids, All: all}) {
				return
			}
		case <-ping.C:
			if _, err := w.WriteString(": ping\n\n"); err != nil || w.Flush() != nil {
				return
			}
		case <-end.C:
			return
		case <-stopping:
			return
		}
	}
}
