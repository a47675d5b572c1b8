package helpdesk_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// raceDesk is a workspace where a customer's message and a resolve (an
// agent's or the conversation rules') meet on one conversation. beside,
// when set, runs while the message is being triaged: after it chose its
// conversation, before it is stored.
type raceDesk struct {
	t      *testing.T
	svc    *helpdesk.Service
	ctx    context.Context
	admin  *sql.DB
	beside func()
}

func newRaceDesk(t *testing.T, brand string) *raceDesk {
	t.Helper()
	_, ctx, _ := newWorkspace(t, brand)
	d := &raceDesk{t: t, ctx: ctx}
	d.svc = helpdesk.NewService(env.App, noEvents{}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		if f := d.beside; f != nil {
			d.beside = nil
			f()
		}
		return helpdesk.Triage{Intent: "other", Urgency: "low", Route: "agent", Level: "L3"}
	}), helpdesk.DefaultConfig())
	admin, err := sql.Open("pgx", env.AdminDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	d.admin = admin
	return d
}

// write is a message of the customer "racer" without a conversation id.
func (d *raceDesk) write(ctx context.Context, body string) (*helpdesk.Ingested, error) {
	return d.svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "racer"}, Body: body})
}

// pendingConversation is the customer's conversation, answered by an
// agent and set pending: it waits on the customer.
func (d *raceDesk) pendingConversation() uuid.UUID {
	d.t.Helper()
	in, err := d.write(d.ctx, "my parcel has not come")
	if err != nil {
		d.t.Fatal(err)
	}
	if _, err := d.svc.AddReply(d.ctx, in.ConversationID, helpdesk.Reply{Body: "Could you tell us your order number?"}); err != nil {
		d.t.Fatal(err)
	}
	pending := helpdesk.StatusPending
	if _, err := d.svc.UpdateConversation(d.ctx, in.ConversationID, helpdesk.ConversationUpdate{Status: &pending}); err != nil {
		d.t.Fatal(err)
	}
	return in.ConversationID
}

// resolvePendingAfterAnHour turns the rule on that resolves a conversation
// pending for an hour.
func (d *raceDesk) resolvePendingAfterAnHour() {
	d.t.Helper()
	if _, err := d.svc.UpdateConversationRules(d.ctx, helpdesk.ConversationRulesUpdate{
		AutoResolvePending: helpdesk.RuleChange{Set: true, Hours: hours(1)}}); err != nil {
		d.t.Fatal(err)
	}
}

// untilBlockedOrDone runs f in a goroutine and returns once f returned or
// a session of the test database waits for a row lock, with a function
// that waits for f.
func (d *raceDesk) untilBlockedOrDone(f func()) (wait func()) {
	d.t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		select {
		case <-done:
			return func() {}
		default:
		}
		var waiting int
		if err := d.admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
			env.Name).Scan(&waiting); err != nil {
			d.t.Fatal(err)
		}
		if waiting > 0 {
			return func() { <-done }
		}
		if time.Now().After(deadline) {
			d.t.Fatal("neither done nor waiting for a lock")
		}
	}
}

// story is a conversation as both sides left it: its row, the racing
// message, and its timeline's kinds (with each status change's target
// status) in order.
type story struct {
	conv     *helpdesk.Conversation
	message  helpdesk.Message
	kinds    []string
	messageI int // the racing message's place in kinds
}

func (d *raceDesk) story(id, messageID uuid.UUID) story {
	d.t.Helper()
	c, err := d.svc.FindConversation(d.ctx, id)
	if err != nil {
		d.t.Fatal(err)
	}
	s := story{conv: &c.Conversation, messageI: -1}
	for _, m := range c.Messages {
		if m.ID == messageID {
			s.message = m
		}
	}
	if s.message.ID != messageID {
		d.t.Fatalf("the message %s is not in conversation %s", messageID, id)
	}
	events, err := d.svc.FindEvents(d.ctx, id, deskpool.Cursor{}, 200)
	if err != nil {
		d.t.Fatal(err)
	}
	for _, e := range events {
		kind := e.Kind
		if kind == "status_changed" {
			var data struct{ To string }
			_ = json.Unmarshal(e.Data, &data)
			kind += ":" + data.To
		}
		if e.ID == messageID {
			s.messageI = len(s.kinds)
		}
		s.kinds = append(s.kinds, kind)
	}
	if s.messageI < 0 {
		d.t.Fatalf("the message is not on the timeline: %v", s.kinds)
	}
	return s
}

// reopenedBy checks that the message reopened the resolved conversation,
// and that its timeline says so: resolved, reopened, the message.
func (s story) reopenedBy(t *testing.T) {
	t.Helper()
	if s.conv.Status != helpdesk.StatusOpen || s.conv.ResolvedAt != nil {
		t.Fatalf("the conversation is %s (resolved at %v), want it open again", s.conv.Status, s.conv.ResolvedAt)
	}
	resolved := slices.Index(s.kinds, "status_changed:resolved")
	if resolved < 0 || resolved > s.messageI {
		t.Fatalf("no resolve before the message on the timeline: %v", s.kinds)
	}
	if !slices.Equal(s.kinds[s.messageI-1:s.messageI+1], []string{"conversation.reopened", "message.received"}) {
		t.Fatalf("the message reopened the conversation, but its timeline does not say so: %v", s.kinds)
	}
}

// A resolve that holds the conversation when the customer writes is
// waited for: the message reopens the conversation and the timeline says
// it was reopened.
func TestMessageAfterAResolve(t *testing.T) {
	resolved := helpdesk.StatusResolved
	for _, tc := range []struct {
		name    string
		resolve func(t *testing.T, d *raceDesk, ctx context.Context, id uuid.UUID)
	}{
		{"ByAnAgent", func(t *testing.T, d *raceDesk, ctx context.Context, id uuid.UUID) {
			if _, err := d.svc.UpdateConversation(ctx, id, helpdesk.ConversationUpdate{Status: &resolved}); err != nil {
				t.Fatal(err)
			}
		}},
		{"ByTheRule", func(t *testing.T, d *raceDesk, ctx context.Context, id uuid.UUID) {
			if n, err := d.svc.ApplyConversationRules(ctx, time.Now().Add(2*time.Hour)); err != nil || n != 1 {
				t.Fatalf("the rule resolved %d, %v", n, err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newRaceDesk(t, "Resolve first "+tc.name)
			d.resolvePendingAfterAnHour()
			id := d.pendingConversation()
			var in *helpdesk.Ingested
			var inErr error
			var wait func()
			// The resolve takes the row first and commits only once the
			// message waits for it.
			err := postgres.Tx(d.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
				tc.resolve(t, d, ctx, id)
				wait = d.untilBlockedOrDone(func() { in, inErr = d.write(d.ctx, "it is order 1234") })
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			wait()
			if inErr != nil {
				t.Fatal(inErr)
			}
			if in.ConversationID != id {
				t.Fatalf("the message started conversation %s instead of reopening %s", in.ConversationID, id)
			}
			d.story(id, in.MessageID).reopenedBy(t)
		})
	}
}

// An agent who resolves a conversation while the customer's message is
// being stored resolves it after the message: the resolve stands, dated
// after the message, and a later message would reopen it.
func TestAgentResolvesDuringAMessage(t *testing.T) {
	d := newRaceDesk(t, "Agent resolves during a message")
	id := d.pendingConversation()
	resolved := helpdesk.StatusResolved
	var resolveErr error
	var wait func()
	d.beside = func() {
		wait = d.untilBlockedOrDone(func() {
			_, resolveErr = d.svc.UpdateConversation(d.ctx, id, helpdesk.ConversationUpdate{Status: &resolved})
		})
	}
	in, err := d.write(d.ctx, "it is order 1234")
	if err != nil {
		t.Fatal(err)
	}
	wait()
	if resolveErr != nil {
		t.Fatal(resolveErr)
	}
	s := d.story(id, in.MessageID)
	if s.conv.Status != helpdesk.StatusResolved {
		t.Fatalf("the conversation is %s, want the agent's resolve to stand (timeline %v)", s.conv.Status, s.kinds)
	}
	if s.conv.ResolvedAt == nil || s.conv.ResolvedAt.Before(s.message.CreatedAt) {
		t.Fatalf("resolved at %v, before the message it came after (%v)", s.conv.ResolvedAt, s.message.CreatedAt)
	}
	if slices.Contains(s.kinds, "conversation.reopened") || !slices.Contains(s.kinds[s.messageI:], "status_changed:resolved") {
		t.Fatalf("the timeline does not have the resolve after the message: %v", s.kinds)
	}
	t.Run("ALaterMessageReopens", func(t *testing.T) {
		again, err := d.write(d.ctx, "hello? it has still not come")
		if err != nil {
			t.Fatal(err)
		}
		if again.ConversationID != id {
			t.Fatalf("the message started conversation %s instead of reopening %s", again.ConversationID, id)
		}
		d.story(id, again.MessageID).reopenedBy(t)
	})
}

// The conversation rules' sweep that meets a customer's message being
// stored leaves the conversation alone, and the next sweep finds the
// customer waiting for an answer: the rule never resolves a conversation
// with the customer's message unanswered.
func TestRuleSweepDuringAMessage(t *testing.T) {
	d := newRaceDesk(t, "Rule sweeps during a message")
	d.resolvePendingAfterAnHour()
	id := d.pendingConversation()
	at := time.Now().Add(2 * time.Hour)
	var swept int
	var sweepErr error
	var wait func()
	d.beside = func() {
		wait = d.untilBlockedOrDone(func() { swept, sweepErr = d.svc.ApplyConversationRules(d.ctx, at) })
	}
	in, err := d.write(d.ctx, "it is order 1234")
	if err != nil {
		t.Fatal(err)
	}
	wait()
	if sweepErr != nil {
		t.Fatal(sweepErr)
	}
	s := d.story(id, in.MessageID)
	if swept != 0 || slices.Contains(s.kinds, "status_changed:resolved") {
		t.Fatalf("the rule resolved %d conversations while the customer wrote (timeline %v)", swept, s.kinds)
	}
	if s.conv.Status != helpdesk.StatusOpen || s.conv.WaitingSince == nil || slices.Contains(s.kinds, "conversation.reopened") {
		t.Fatalf("the conversation is %s, waiting since %v, timeline %v; want it open, with the customer waiting",
			s.conv.Status, s.conv.WaitingSince, s.kinds)
	}
	t.Run("TheNextSweepLeavesIt", func(t *testing.T) {
		if n, err := d.svc.ApplyConversationRules(d.ctx, at); err != nil || n != 0 {
			t.Fatalf("the next sweep resolved %d, %v", n, err)
		}
	})
}
