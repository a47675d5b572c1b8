package sla_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
)

// A conversation the workspace's rule resolves stops its SLA clocks, as
// an agent's resolve does: it goes through the same update path.
func TestConversationRuleResolveStopsTheClocks(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.policy(t, 3600, 3600, 7200)
	in := f.ingest(t, "quiet")
	if _, err := f.hd.AddReply(f.ctx(), in.ConversationID, helpdesk.Reply{Body: "Which size would you like?"}); err != nil {
		t.Fatal(err)
	}
	pending := helpdesk.StatusPending
	if _, err := f.hd.UpdateConversation(f.ctx(), in.ConversationID, helpdesk.ConversationUpdate{Status: &pending}); err != nil {
		t.Fatal(err)
	}
	if st, _, _, _ := timer(t, in.ConversationID, "resolution"); st != "paused" {
		t.Fatalf("resolution clock %s while pending, want paused", st)
	}
	one := 1
	if _, err := f.hd.UpdateConversationRules(f.ctx(), helpdesk.ConversationRulesUpdate{
		AutoResolvePending: helpdesk.RuleChange{Set: true, Hours: &one}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.hd.SweepConversationRules(context.Background(), env.System, time.Now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if st, _, _, _ := timer(t, in.ConversationID, "resolution"); st != "stopped" {
		t.Fatalf("resolution clock %s after the rule resolved it, want stopped", st)
	}
}
