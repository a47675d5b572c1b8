package helpdesk_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
)

// rulesDesk is a workspace whose helpdesk records the webhooks it emits.
type rulesDesk struct {
	t      *testing.T
	svc    *helpdesk.Service
	ctx    context.Context
	events *recorded
}

func newRulesDesk(t *testing.T, brand string) *rulesDesk {
	t.Helper()
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: brand})
	if err != nil {
		t.Fatal(err)
	}
	events := &recorded{byType: map[string][]any{}}
	svc := helpdesk.NewService(env.App, events, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "other", Urgency: "low", Route: "agent", Level: "L3"}
	}), helpdesk.DefaultConfig())
	return &rulesDesk{t: t, svc: svc, ctx: deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID}), events: events}
}

func hours(n int) *int { return &n }

// setRules sets both rules (nil turns one off).
func (d *rulesDesk) setRules(pending, resolved *int) {
	d.t.Helper()
	if _, err := d.svc.UpdateConversationRules(d.ctx, helpdesk.ConversationRulesUpdate{
		AutoResolvePending: helpdesk.RuleChange{Set: true, Hours: pending},
		AutoCloseResolved:  helpdesk.RuleChange{Set: true, Hours: resolved}}); err != nil {
		d.t.Fatal(err)
	}
}

// write is the customer's message; it returns the conversation it went to.
func (d *rulesDesk) write(customer, body string) uuid.UUID {
	d.t.Helper()
	in, err := d.svc.Ingest(d.ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: customer}, Body: body})
	if err != nil {
		d.t.Fatal(err)
	}
	return in.ConversationID
}

func (d *rulesDesk) reply(id uuid.UUID, body string) {
	d.t.Helper()
	if _, err := d.svc.AddReply(d.ctx, id, helpdesk.Reply{Body: body}); err != nil {
		d.t.Fatal(err)
	}
}

func (d *rulesDesk) setStatus(id uuid.UUID, status string) {
	d.t.Helper()
	if _, err := d.svc.UpdateConversation(d.ctx, id, helpdesk.ConversationUpdate{Status: &status}); err != nil {
		d.t.Fatal(err)
	}
}

// askCustomer is a conversation an agent answered with a question and set
// pending: it waits on the customer.
func (d *rulesDesk) askCustomer(customer string) uuid.UUID {
	d.t.Helper()
	id := d.write(customer, "my parcel has not come")
	d.reply(id, "Could you tell us your order number?")
	d.setStatus(id, helpdesk.StatusPending)
	return id
}

func (d *rulesDesk) status(id uuid.UUID) string {
	d.t.Helper()
	c, err := d.svc.Conversation(d.ctx, id)
	if err != nil {
		d.t.Fatal(err)
	}
	return c.Status
}

func (d *rulesDesk) sweep(after time.Duration) int {
	d.t.Helper()
	n, err := d.svc.SweepConversationRules(context.Background(), env.System, time.Now().Add(after))
	if err != nil {
		d.t.Fatal(err)
	}
	return n
}

// statusChanges are the conversation's status_changed timeline entries.
func (d *rulesDesk) statusChanges(id uuid.UUID) []helpdesk.TimelineEvent {
	d.t.Helper()
	all, err := d.svc.FindEvents(d.ctx, id, deskpool.Cursor{}, 200)
	if err != nil {
		d.t.Fatal(err)
	}
	var out []helpdesk.TimelineEvent
	for _, e := range all {
		if e.Kind == "status_changed" {
			out = append(out, e)
		}
	}
	return out
}

// resolvedWebhooks counts the conversation.resolved events emitted for id.
func (d *rulesDesk) resolvedWebhooks(id uuid.UUID) int {
	return d.webhooks(helpdesk.EventConversationResolved, id)
}

// webhooks counts the events of a type emitted for conversation id.
func (d *rulesDesk) webhooks(eventType string, id uuid.UUID) int {
	d.events.mu.Lock()
	defer d.events.mu.Unlock()
	n := 0
	for _, data := range d.events.byType[eventType] {
		if c, ok := data.(map[string]any)["conversation"].(*helpdesk.Conversation); ok && c.ID == id {
			n++
		}
	}
	return n
}

// checkRuleEvent checks that the latest status change of id went to
// status by the workspace rule, not by a person.
func (d *rulesDesk) checkRuleEvent(id uuid.UUID, to, rule string, after int) {
	d.t.Helper()
	changes := d.statusChanges(id)
	if len(changes) == 0 {
		d.t.Fatal("no status change on the timeline")
	}
	last := changes[len(changes)-1]
	var data struct {
		To, By, Rule string
		AfterHours   int `json:"after_hours"`
	}
	if err := json.Unmarshal(last.Data, &data); err != nil {
		d.t.Fatal(err)
	}
	if data.To != to || data.By != "rule" || data.Rule != rule || data.AfterHours != after || last.ActorKind != "system" || last.ActorID != nil {
		d.t.Fatalf("status change %s by %s %v, want to %s by rule %s after %d", last.Data, last.ActorKind, last.ActorID, to, rule, after)
	}
}

func TestAutoResolvePendingAfterTheRule(t *testing.T) {
	d := newRulesDesk(t, "Auto Resolve")
	d.setRules(hours(24), nil)
	waiting := d.askCustomer("silent")
	answered := d.askCustomer("answers")
	d.write("answers", "it is DT-1001") // before the sweep: the conversation is theirs again
	setAside := d.write("set-aside", "where is my refund")
	d.setStatus(setAside, helpdesk.StatusPending) // pending, but the customer waits on us
	t.Run("NotBeforeItsTime", func(t *testing.T) {
		d.sweep(23 * time.Hour)
		if st := d.status(waiting); st != helpdesk.StatusPending {
			t.Fatalf("resolved %s before the rule's 24 hours", st)
		}
	})
	d.sweep(25 * time.Hour)
	t.Run("ResolvedByTheRule", func(t *testing.T) {
		if st := d.status(waiting); st != helpdesk.StatusResolved {
			t.Fatalf("status %s, want resolved", st)
		}
		d.checkRuleEvent(waiting, helpdesk.StatusResolved, helpdesk.RuleAutoResolvePending, 24)
		if n := d.resolvedWebhooks(waiting); n != 1 {
			t.Fatalf("%d conversation.resolved webhooks, want 1", n)
		}
	})
	t.Run("CustomerReplyAfterTheAgentsKeepsIt", func(t *testing.T) {
		if st := d.status(answered); st != helpdesk.StatusOpen {
			t.Fatalf("status %s, want open", st)
		}
		if st := d.status(setAside); st != helpdesk.StatusPending {
			t.Fatalf("a conversation whose customer waits on us is %s, want pending", st)
		}
	})
	t.Run("TwiceDoesNothingMore", func(t *testing.T) {
		d.sweep(25 * time.Hour)
		if n := len(d.statusChanges(waiting)); n != 2 { // pending, then resolved
			t.Fatalf("%d status changes, want 2", n)
		}
		if n := d.resolvedWebhooks(waiting); n != 1 {
			t.Fatalf("%d conversation.resolved webhooks, want 1", n)
		}
		if n := d.webhooks(helpdesk.EventConversationUpdated, waiting); n != 2 { // set pending, resolved
			t.Fatalf("%d conversation.updated webhooks, want 2", n)
		}
	})
	t.Run("MessageBeingStoredKeepsIt", func(t *testing.T) {
		id := d.askCustomer("typing")
		// A customer's message holds the row while it is stored; the
		// sweep passes it by, and the message makes it open.
		tx := env.System.Begin()
		defer tx.Rollback()
		if err := tx.Exec(`SELECT 1 FROM conversations WHERE id = ? FOR UPDATE`, id).Error; err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := d.svc.SweepConversationRules(context.Background(), env.System, time.Now().Add(25*time.Hour))
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Error("the sweep waits on a conversation a customer's message holds")
		}
		if err := tx.Exec(`UPDATE conversations SET status = 'open', waiting_since = now() WHERE id = ?`, id).Error; err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit().Error; err != nil {
			t.Fatal(err)
		}
		d.sweep(25 * time.Hour)
		if st := d.status(id); st != helpdesk.StatusOpen {
			t.Fatalf("status %s, want open", st)
		}
	})
}

func TestAutoResolveOffLeavesPending(t *testing.T) {
	d := newRulesDesk(t, "Rule Off")
	waiting := d.askCustomer("patient") // the default: pending conversations wait for an agent
	d.sweep(24 * 365 * time.Hour)
	if st := d.status(waiting); st != helpdesk.StatusPending {
		t.Fatalf("with the rule off: %s, want pending", st)
	}
}

func TestAutoCloseResolvedAfterTheRule(t *testing.T) {
	d := newRulesDesk(t, "Auto Close")
	id := d.write("closer", "thanks, all sorted")
	d.setStatus(id, helpdesk.StatusResolved)
	d.sweep(24 * 365 * time.Hour) // the default: no rule, never closed
	if st := d.status(id); st != helpdesk.StatusResolved {
		t.Fatalf("closed %s with no rule set", st)
	}
	d.setRules(nil, hours(96))
	d.sweep(96*time.Hour - time.Minute)
	if st := d.status(id); st != helpdesk.StatusResolved {
		t.Fatalf("closed %s before the rule's 96 hours", st)
	}
	d.sweep(96*time.Hour + time.Minute)
	if st := d.status(id); st != helpdesk.StatusClosed {
		t.Fatalf("status %s after the rule's 96 hours, want closed", st)
	}
	d.checkRuleEvent(id, helpdesk.StatusClosed, helpdesk.RuleAutoCloseResolved, 96)
	t.Run("NextMessageStartsANewConversation", func(t *testing.T) {
		if next := d.write("closer", "one more question"); next == id {
			t.Fatal("a message after the close joined the closed conversation")
		}
		_, err := d.svc.Ingest(d.ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "closer"},
			Body: "about that one", ConversationID: &id})
		if deskpool.ErrorCode(err) != deskpool.ECONFLICT {
			t.Fatalf("naming the closed conversation: %v, want ECONFLICT", err)
		}
	})
	t.Run("OffLeavesResolved", func(t *testing.T) {
		d.setRules(nil, nil)
		other := d.write("keeper", "solved")
		d.setStatus(other, helpdesk.StatusResolved)
		d.sweep(24 * 365 * time.Hour)
		if st := d.status(other); st != helpdesk.StatusResolved {
			t.Fatalf("with the rule off: %s, want resolved", st)
		}
	})
}

func TestAutoResolveTwoSweepsAtOnce(t *testing.T) {
	d := newRulesDesk(t, "Two Sweeps")
	d.setRules(hours(1), nil)
	var ids []uuid.UUID
	for i := range 30 {
		ids = append(ids, d.askCustomer("quiet-"+strconv.Itoa(i)))
	}
	counted := ruleChangesCounted(t, helpdesk.RuleAutoResolvePending)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = d.svc.SweepConversationRules(context.Background(), env.System, time.Now().Add(2*time.Hour))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		if st := d.status(id); st != helpdesk.StatusResolved {
			t.Fatalf("status %s, want resolved", st)
		}
		if n := len(d.statusChanges(id)); n != 2 {
			t.Fatalf("%d status changes, want 2: resolved once", n)
		}
		if n := d.resolvedWebhooks(id); n != 1 {
			t.Fatalf("%d conversation.resolved webhooks, want 1", n)
		}
		if n := d.webhooks(helpdesk.EventConversationUpdated, id); n != 2 { // set pending, resolved
			t.Fatalf("%d conversation.updated webhooks, want 2", n)
		}
	}
	if n := ruleChangesCounted(t, helpdesk.RuleAutoResolvePending) - counted; n != float64(len(ids)) {
		t.Fatalf("deskpool_conversation_rule_changes_total moved by %v, want %d", n, len(ids))
	}
}

// ruleChangesCounted reads deskpool_conversation_rule_changes_total for rule.
func ruleChangesCounted(t *testing.T, rule string) float64 {
	t.Helper()
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "deskpool_conversation_rule_changes_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "rule" && l.GetValue() == rule {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func TestAutoResolveKeepsToItsWorkspace(t *testing.T) {
	a, b := newRulesDesk(t, "Rule A"), newRulesDesk(t, "Rule B")
	a.setRules(hours(1), hours(1))
	b.setRules(nil, hours(48))
	inA, inB := a.askCustomer("shared-name"), b.askCustomer("shared-name")
	solvedB := b.write("solved", "thanks")
	b.setStatus(solvedB, helpdesk.StatusResolved)
	a.sweep(2 * time.Hour)
	if st := a.status(inA); st != helpdesk.StatusResolved {
		t.Fatalf("workspace A's conversation is %s, want resolved", st)
	}
	if st := b.status(inB); st != helpdesk.StatusPending {
		t.Fatalf("workspace B's pending conversation is %s under A's rule", st)
	}
	if st := b.status(solvedB); st != helpdesk.StatusResolved {
		t.Fatalf("workspace B's resolved conversation is %s under A's rule", st)
	}
}

func TestConversationRulesSettings(t *testing.T) {
	d := newRulesDesk(t, "Rule Settings")
	got, err := d.svc.ConversationRules(d.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.AutoResolvePendingAfterHours != nil || got.AutoCloseResolvedAfterHours != nil {
		t.Fatalf("defaults %+v, want both off", got)
	}
	for _, bad := range []int{0, -1, helpdesk.MaxRuleHours + 1} {
		_, err := d.svc.UpdateConversationRules(d.ctx, helpdesk.ConversationRulesUpdate{AutoResolvePending: helpdesk.RuleChange{Set: true, Hours: &bad}})
		var de *deskpool.Error
		if deskpool.ErrorCode(err) != deskpool.EINVALID || !errors.As(err, &de) || len(de.Fields) != 1 || de.Fields[0].Field != helpdesk.RuleAutoResolvePending {
			t.Fatalf("%d hours: %v, want EINVALID naming %s", bad, err, helpdesk.RuleAutoResolvePending)
		}
	}
	t.Run("UnsetRuleStays", func(t *testing.T) {
		got, err := d.svc.UpdateConversationRules(d.ctx, helpdesk.ConversationRulesUpdate{AutoResolvePending: helpdesk.RuleChange{Set: true, Hours: hours(72)}})
		if err != nil {
			t.Fatal(err)
		}
		if *got.AutoResolvePendingAfterHours != 72 || got.AutoCloseResolvedAfterHours != nil {
			t.Fatalf("rules %+v", got)
		}
		if got, err = d.svc.UpdateConversationRules(d.ctx, helpdesk.ConversationRulesUpdate{AutoCloseResolved: helpdesk.RuleChange{Set: true, Hours: hours(168)}}); err != nil ||
			*got.AutoResolvePendingAfterHours != 72 || *got.AutoCloseResolvedAfterHours != 168 {
			t.Fatalf("rules %+v (%v), want pending 72 and close 168", got, err)
		}
		got, err = d.svc.UpdateConversationRules(d.ctx, helpdesk.ConversationRulesUpdate{AutoCloseResolved: helpdesk.RuleChange{Set: true}})
		if err != nil {
			t.Fatal(err)
		}
		if *got.AutoResolvePendingAfterHours != 72 || got.AutoCloseResolvedAfterHours != nil {
			t.Fatalf("rules %+v, want pending 72 and close off", got)
		}
	})
}

// The clock of a pending conversation starts at the later of the agent's
// last reply and the moment it was set pending: one set pending today,
// after a reply of long ago, is given the rule's whole delay.
func TestAutoResolveCountsFromSettingPending(t *testing.T) {
	d := newRulesDesk(t, "Late Pending")
	d.setRules(hours(24), nil)
	id := d.write("slow", "is the blue teapot in stock")
	d.reply(id, "Which size would you like?")
	if err := env.System.Exec(`UPDATE conversations SET last_message_at = last_message_at - interval '30 hours' WHERE id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	d.setStatus(id, helpdesk.StatusPending)
	d.sweep(2 * time.Hour)
	if st := d.status(id); st != helpdesk.StatusPending {
		t.Fatalf("set pending two hours ago, after a reply 32 hours ago: %s, want pending", st)
	}
	d.sweep(25 * time.Hour)
	if st := d.status(id); st != helpdesk.StatusResolved {
		t.Fatalf("pending for 25 hours: %s, want resolved", st)
	}
}

// refuseOne is a lifecycle observer that fails every change of one
// conversation.
type refuseOne struct{ id uuid.UUID }

func (r refuseOne) ConversationChanged(ctx context.Context, tx *gorm.DB, ch helpdesk.Change) error {
	if ch.After != nil && ch.After.ID == r.id && ch.Kind == helpdesk.ChangeUpdated {
		return errors.New("refused")
	}
	return nil
}

// A conversation that cannot change (an observer refuses it) is reported
// and left as it was; the rest of the batch goes on.
func TestAutoResolveGoesOnPastAFailure(t *testing.T) {
	d := newRulesDesk(t, "Refused One")
	d.setRules(hours(1), nil)
	stuck, fine := d.askCustomer("stuck"), d.askCustomer("fine")
	d.svc.Observe(refuseOne{id: stuck})
	if _, err := d.svc.SweepConversationRules(context.Background(), env.System, time.Now().Add(2*time.Hour)); err == nil {
		t.Fatal("the refused conversation was not reported")
	}
	if st := d.status(stuck); st != helpdesk.StatusPending {
		t.Fatalf("the refused conversation is %s, want pending", st)
	}
	if st := d.status(fine); st != helpdesk.StatusResolved {
		t.Fatalf("the next conversation is %s, want resolved", st)
	}
}

// One pass over a workspace changes at most RuleSweepBatch of its
// conversations; the next pass takes the rest. (The workspace's own pass,
// so that other tests' workspaces swept meanwhile do not count.)
func TestAutoCloseLeavesPastABatchToTheNextPass(t *testing.T) {
	d := newRulesDesk(t, "Big Batch")
	id := d.write("batch", "thanks, all sorted")
	d.setStatus(id, helpdesk.StatusResolved)
	if err := env.System.Exec(`INSERT INTO conversations
		SELECT (jsonb_populate_record(c, jsonb_build_object('id', gen_random_uuid()))).*
		FROM conversations c, generate_series(1, ?) WHERE c.id = ?`, helpdesk.RuleSweepBatch, id).Error; err != nil {
		t.Fatal(err)
	}
	d.setRules(nil, hours(1))
	at := time.Now().Add(2 * time.Hour)
	for i, want := range []int{helpdesk.RuleSweepBatch, 1, 0} {
		if n, err := d.svc.ApplyConversationRules(d.ctx, at); err != nil || n != want {
			t.Fatalf("pass %d closed %d (%v), want %d", i+1, n, err, want)
		}
	}
}

// A pass past one batch takes the pending conversations that waited on
// the customer longest first, by their last message: one resolved once
// before and then set pending keeps that resolved_at, which is not its
// clock and does not put it behind those that waited less.
func TestAutoResolveTakesTheLongestWaitingFirst(t *testing.T) {
	d := newRulesDesk(t, "Longest First")
	longest := d.askCustomer("longest")
	d.setStatus(longest, helpdesk.StatusResolved)
	d.setStatus(longest, helpdesk.StatusPending)
	others := d.askCustomer("others")
	if err := env.System.Exec(`INSERT INTO conversations
		SELECT (jsonb_populate_record(c, jsonb_build_object('id', gen_random_uuid()))).*
		FROM conversations c, generate_series(1, ?) WHERE c.id = ?`, helpdesk.RuleSweepBatch-1, others).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.System.Exec(`UPDATE conversations SET last_message_at = now() - CASE WHEN id = ? THEN interval '10 days' ELSE interval '5 days' END
		WHERE tenant_id = (SELECT tenant_id FROM conversations WHERE id = ?)`, longest, longest).Error; err != nil {
		t.Fatal(err)
	}
	d.setRules(hours(24), nil)
	if n, err := d.svc.ApplyConversationRules(d.ctx, time.Now().Add(48*time.Hour)); err != nil || n != helpdesk.RuleSweepBatch {
		t.Fatalf("the pass resolved %d (%v), want %d", n, err, helpdesk.RuleSweepBatch)
	}
	if st := d.status(longest); st != helpdesk.StatusResolved {
		t.Fatalf("the conversation that waited longest is %s after a full batch, want resolved", st)
	}
}
