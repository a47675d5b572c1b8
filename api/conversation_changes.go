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

// streamRecheck is how often an open change stream checks that the
// credential which opened it still admits it; streamRecheckUncached how
// often while credentials are not cached (the credential cache's
// listener is away), when each check reads the database.
const (
	streamRecheck         = time.Second
	streamRecheckUncached = 5 * time.Second
)

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
// after a while; the client reconnects. It ends sooner, with a "revoked"
// event carrying the problem a new request would get, once its credential
// no longer admits it: a session logged out or revoked, a key revoked or
// expired, a person removed from the workspace or left without the
// permission.
func (s *Server) conversationChanges(c *fiber.Ctx) error {
	feed := s.deps.Feed
	if feed == nil {
		return deskpool.Errorf(deskpool.EUNAVAILABLE, "This server does not stream changes: poll GET /v1/conversations?updated_since= instead.")
	}
	admission := admissionOf(c)
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
		s.streamChanges(w, sub, admission, lifetime)
	})
	return nil
}

// streamChanges writes the events of sub to w until lifetime passes, the
// client is gone, the server stops or the admission no longer holds.
func (s *Server) streamChanges(w *bufio.Writer, sub *helpdesk.FeedSubscription, admission admission, lifetime time.Duration) {
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
	recheck := time.NewTicker(streamRecheck)
	defer recheck.Stop()
	checked := time.Now()
	// admitted checks the admission again when due: before every event
	// and every streamRecheck while credentials are cached (the check then
	// costs no round trip), else every streamRecheckUncached. Once access
	// has ended it sends "revoked"; either way false ends the stream (not
	// checked: the client reconnects and is checked afresh).
	admitted := func(now time.Time) bool {
		if !s.deps.Tenants.Listening() && now.Sub(checked) < streamRecheckUncached {
			return true
		}
		checked = now
		err := s.stillAdmitted(admission)
		if p, ended := accessEnded(err); ended {
			send("revoked", p)
		}
		return err == nil
	}
	for {
		select {
		case <-sub.Wake():
			if !admitted(time.Now()) {
				return
			}
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
		case now := <-recheck.C:
			if !admitted(now) {
				return
			}
		case <-end.C:
			return
		case <-s.stopping:
			return
		}
	}
}
