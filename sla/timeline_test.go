package sla_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
	"github.com/google/uuid"
)

// slaStarted is the data of a timeline's sla.started entry.
type slaStarted struct {
	PolicyID uuid.UUID `json:"policy_id"`
	Policy   string    `json:"policy"`
	Clocks   []struct {
		Metric        string     `json:"metric"`
		TargetSeconds int64      `json:"target_seconds"`
		DueAt         *time.Time `json:"due_at"`
	} `json:"clocks"`
}

// The timeline shows the SLA clocks a customer's message starts, as a help
// desk's event log shows the SLA applied: the first message of a
// conversation starts first response and resolution, with their deadlines;
// a message while they run starts nothing; the customer's next message
// after a reply starts next response.
func TestTimelineShowsTheClocksStarted(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	pol := f.policy(t, 60, 120, 3600)
	customer := helpdesk.CustomerRef{ExternalID: "clocks-" + uuid.NewString()[:8], Name: "Clock"}
	say := func() *helpdesk.Ingested {
		t.Helper()
		in, err := f.hd.Ingest(f.ctx(), helpdesk.InboundMessage{Channel: "web", Body: "Where is my order?", Customer: customer})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	started := func(conv uuid.UUID) (kinds []string, starts []slaStarted) {
		t.Helper()
		events, err := f.hd.FindEvents(f.ctx(), conv, deskpool.Cursor{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			kinds = append(kinds, e.Kind)
			if e.Kind == "sla.started" {
				var s slaStarted
				if err := json.Unmarshal(e.Data, &s); err != nil {
					t.Fatal(err)
				}
				starts = append(starts, s)
			}
		}
		return kinds, starts
	}
	metrics := func(s slaStarted) []string {
		var out []string
		for _, c := range s.Clocks {
			out = append(out, c.Metric)
		}
		return out
	}

	first := say()
	conv := first.ConversationID
	kinds, starts := started(conv)
	if len(starts) != 1 || slices.Index(kinds, "sla.started") < slices.Index(kinds, "message.received") {
		t.Fatalf("timeline %v: want one sla.started after the message", kinds)
	}
	s := starts[0]
	if s.PolicyID != pol.ID || s.Policy != pol.Name || !slices.Equal(metrics(s), []string{sla.MetricFirstResponse, sla.MetricResolution}) {
		t.Fatalf("sla.started %+v, want policy %s with first_response and resolution", s, pol.ID)
	}
	if c := s.Clocks[0]; c.TargetSeconds != 60 || c.DueAt == nil || first.SLA.FirstResponseDueAt == nil || !c.DueAt.Equal(*first.SLA.FirstResponseDueAt) {
		t.Fatalf("first response clock %+v, the message's deadline %v", c, first.SLA.FirstResponseDueAt)
	}
	_, firstDue, _, _ := timer(t, conv, sla.MetricFirstResponse)
	_, resolutionDue, _, _ := timer(t, conv, sla.MetricResolution)
	if r := s.Clocks[1]; r.TargetSeconds != 3600 || r.DueAt == nil || !r.DueAt.Equal(*resolutionDue) || !s.Clocks[0].DueAt.Equal(*firstDue) {
		t.Fatalf("clocks %+v; stored deadlines %v, %v", s.Clocks, firstDue, resolutionDue)
	}

	t.Run("WhileTheyRunNothingStarts", func(t *testing.T) {
		if say().ConversationID != conv {
			t.Fatal("the second message opened a conversation of its own")
		}
		if _, starts := started(conv); len(starts) != 1 {
			t.Fatalf("%d sla.started entries, want 1", len(starts))
		}
	})
	t.Run("AfterAReplyNextResponseStarts", func(t *testing.T) {
		if _, err := f.hd.AddReply(f.ctx(), conv, helpdesk.Reply{Body: "Let me check."}); err != nil {
			t.Fatal(err)
		}
		say()
		_, starts := started(conv)
		if len(starts) != 2 || !slices.Equal(metrics(starts[1]), []string{sla.MetricNextResponse}) {
			t.Fatalf("sla.started entries %+v, want a second with next_response", starts)
		}
		_, due, _, _ := timer(t, conv, sla.MetricNextResponse)
		if c := starts[1].Clocks[0]; c.TargetSeconds != 120 || c.DueAt == nil || !c.DueAt.Equal(*due) {
			t.Fatalf("next response clock %+v, stored deadline %v", c, due)
		}
	})
}
