package helpdesk

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// The inbox feed tells open inboxes, in any API process, that a
// conversation of their workspace changed, so that they re-read it from the
// API at once instead of polling. It is a hint, not the data: a lost hint
// (a process stopping between a commit and the next announcement) costs
// only freshness, and an inbox re-reads its list whenever its stream
// (re)connects.
//
// Every process observes the conversations its transactions change
// (InboxFeed is a Lifecycle observer); after each commit it queues the
// change, and every FeedFlush it announces what it queued in one
// pg_notify on FeedChannel, a few statements a second at most however
// busy the process is (a NOTIFY per message would serialise commits on
// PostgreSQL's notification lock). API processes LISTEN on FeedChannel
// and hand each workspace's changes to its subscribers.

// FeedChannel is the PostgreSQL notification channel of the inbox feed.
// A payload is lines of "<tenant id> <conversation id>".
const FeedChannel = "deskpool_inbox"

// FeedListenerName is the application_name of the feed's listening
// connection.
const FeedListenerName = "deskpool-inbox-feed"

// FeedFlush is how often a process announces the changes it committed.
const FeedFlush = 100 * time.Millisecond

// feedPayloadLines keeps a notification under PostgreSQL's 8,000 bytes.
const feedPayloadLines = 100

// InboxFeed announces and delivers conversation changes.
type InboxFeed struct {
	db  *gorm.DB
	log *slog.Logger

	queue     chan feedChange
	startOnce sync.Once

	mu   sync.Mutex
	subs map[uuid.UUID]map[*FeedSubscription]struct{}

	listening atomic.Bool
}

// Listening reports whether this process hears the announced changes.
func (f *InboxFeed) Listening() bool { return f.listening.Load() }

type feedChange struct{ tenantID, conversationID uuid.UUID }

// NewInboxFeed returns a feed announcing through db (any role: pg_notify
// reads no table).
func NewInboxFeed(db *gorm.DB, log *slog.Logger) *InboxFeed {
	return &InboxFeed{db: db, log: log, queue: make(chan feedChange, 4096), subs: map[uuid.UUID]map[*FeedSubscription]struct{}{}}
}

// ConversationChanged queues the change for announcement once the
// transaction commits; it implements Lifecycle and never fails.
func (f *InboxFeed) ConversationChanged(ctx context.Context, _ *gorm.DB, ch Change) error {
	if ch.After == nil {
		return nil
	}
	c := feedChange{deskpool.TenantIDFromContext(ctx), ch.After.ID}
	postgres.AfterCommit(ctx, func() { f.announce(c) })
	return nil
}

// announce queues c; a full queue drops it (the announcer is behind, and
// the next change of the workspace wakes its inboxes anyway).
func (f *InboxFeed) announce(c feedChange) {
	f.startOnce.Do(func() { go f.announceLoop() })
	select {
	case f.queue <- c:
	default:
	}
}

func (f *InboxFeed) announceLoop() {
	for first := range f.queue {
		seen := map[feedChange]bool{first: true}
		batch := []feedChange{first}
		wait := time.After(FeedFlush)
	collect:
		for {
			select {
			case c := <-f.queue:
				if !seen[c] {
					seen[c] = true
					batch = append(batch, c)
				}
			case <-wait:
				break collect
			}
		}
		for len(batch) > 0 {
			n := min(len(batch), feedPayloadLines)
			var b strings.Builder
			for i, c := range batch[:n] {
				if i > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(c.tenantID.String() + " " + c.conversationID.String())
			}
			batch = batch[n:]
			if err := f.db.Exec(`SELECT pg_notify(?, ?)`, FeedChannel, b.String()).Error; err != nil {
				f.log.Warn("inbox changes not announced; open inboxes see them on their next change or reconnect", "err", err)
			}
		}
	}
}

// FeedSubscription receives the changes of one workspace.
type FeedSubscription struct {
	tenantID uuid.UUID
	mu       sync.Mutex
	pending  []uuid.UUID // conversation ids not taken yet
	all      bool        // changes may have been missed: re-read everything
	wake     chan struct{}
}

// Wake is signalled when changes are waiting in Take.
func (s *FeedSubscription) Wake() <-chan struct{} { return s.wake }

// Take returns the conversations changed since the last call (each once),
// and whether changes may have been missed meanwhile (the feed's
// connection was lost), in which case the subscriber re-reads everything.
func (s *FeedSubscription) Take() (ids []uuid.UUID, missed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids, missed = s.pending, s.all
	s.pending, s.all = nil, false
	return ids, missed
}

func (s *FeedSubscription) add(id uuid.UUID, missed bool) {
	s.mu.Lock()
	if missed {
		s.all = true
	} else if len(s.pending) < 500 && !containsID(s.pending, id) {
		s.pending = append(s.pending, id)
	} else if len(s.pending) >= 500 {
		s.all = true
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func containsID(ids []uuid.UUID, id uuid.UUID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Subscribe returns a subscription to the changes of tenantID's
// conversations; Unsubscribe ends it.
func (f *InboxFeed) Subscribe(tenantID uuid.UUID) *FeedSubscription {
	s := &FeedSubscription{tenantID: tenantID, wake: make(chan struct{}, 1)}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs[tenantID] == nil {
		f.subs[tenantID] = map[*FeedSubscription]struct{}{}
	}
	f.subs[tenantID][s] = struct{}{}
	return s
}

// Unsubscribe ends s.
func (f *InboxFeed) Unsubscribe(s *FeedSubscription) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.subs[s.tenantID], s)
	if len(f.subs[s.tenantID]) == 0 {
		delete(f.subs, s.tenantID)
	}
}

// deliver hands a notification's changes to the subscribers of their
// workspaces.
func (f *InboxFeed) deliver(payload string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, line := range strings.Split(payload, "\n") {
		tid, cid, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		t, err1 := uuid.Parse(tid)
		c, err2 := uuid.Parse(cid)
		if err1 != nil || err2 != nil {
			continue
		}
		for s := range f.subs[t] {
			s.add(c, false)
		}
	}
}

// missedAll tells every subscriber that changes may have been missed.
func (f *InboxFeed) missedAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, subs := range f.subs {
		for s := range subs {
			s.add(uuid.Nil, true)
		}
	}
}

// Listen delivers the announced changes to this process's subscribers
// until ctx ends, reconnecting after failures; dsn must reach PostgreSQL
// directly or through a session-mode pooler. After a lost connection every
// subscriber is told it may have missed changes.
func (f *InboxFeed) Listen(ctx context.Context, dsn string) {
	for ctx.Err() == nil {
		err := f.listen(ctx, dsn)
		if ctx.Err() != nil {
			return
		}
		f.missedAll()
		f.log.Warn("inbox feed listener lost; open inboxes re-read their lists and hear of changes again once it reconnects", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (f *InboxFeed) listen(ctx context.Context, dsn string) error {
	l, err := postgres.Listen(ctx, dsn, FeedListenerName, FeedChannel)
	if err != nil {
		return err
	}
	defer l.Close()
	f.listening.Store(true)
	defer f.listening.Store(false)
	for {
		payload, heard, err := l.Next(ctx, 5*time.Second, 2*time.Second)
		if err != nil {
			return err
		}
		if heard {
			f.deliver(payload)
		}
	}
}
