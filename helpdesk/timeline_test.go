package helpdesk_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

func TestTimelineReadsMessages(t *testing.T) {
	svc, ctx, _ := newWorkspace(t, "Timeline")
	ingest := func(body string) *helpdesk.Ingested {
		t.Helper()
		in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "app", Customer: helpdesk.CustomerRef{ExternalID: "chronicler"}, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	first, second := ingest("where is my parcel"), ingest("it is a gift")
	if second.ConversationID != first.ConversationID {
		t.Fatal("the second message started a conversation of its own")
	}
	all, err := svc.FindEvents(ctx, first.ConversationID, deskpool.Cursor{}, 50)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range all {
		kinds = append(kinds, e.Kind)
	}
	// The conversation is handed to a person once, not by each message.
	want := []string{"conversation.created", "message.received", "handed_over", "message.received"}
	if len(kinds) != len(want) {
		t.Fatalf("timeline %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("timeline %v, want %v", kinds, want)
		}
	}
	t.Run("MessageEntryCarriesTheMessageAndItsTriage", func(t *testing.T) {
		for i, msg := range []*helpdesk.Ingested{first, second} {
			e := all[1+2*i]
			var data struct {
				MessageID string          `json:"message_id"`
				Channel   string          `json:"channel"`
				Triage    helpdesk.Triage `json:"triage"`
			}
			if err := json.Unmarshal(e.Data, &data); err != nil {
				t.Fatal(err)
			}
			if e.ID != msg.MessageID || data.MessageID != msg.MessageID.String() || data.Channel != "app" || e.ActorKind != "customer" {
				t.Fatalf("entry %d: id %s, data %s, actor %s; message %s", i, e.ID, e.Data, e.ActorKind, msg.MessageID)
			}
			if data.Triage.Intent != "other" || data.Triage.Route != "agent" {
				t.Fatalf("entry %d: triage %+v", i, data.Triage)
			}
		}
	})
	t.Run("NoEventRowsBesideTheMessage", func(t *testing.T) {
		if n := count(t, ctx, "conversation_events", "kind IN ('message.received', 'triage')"); n != 0 {
			t.Fatalf("%d event rows repeat what the messages hold", n)
		}
	})
	t.Run("PagesJoinUp", func(t *testing.T) {
		var paged []helpdesk.TimelineEvent
		cur := deskpool.Cursor{}
		for len(paged) < len(all)+1 {
			page, err := svc.FindEvents(ctx, first.ConversationID, cur, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			last := page[len(page)-1]
			cur = deskpool.Cursor{Time: last.CreatedAt, ID: last.ID}
		}
		if len(paged) != len(all) {
			t.Fatalf("pages of 2 gave %d entries, one page %d", len(paged), len(all))
		}
		for i := range all {
			if paged[i].ID != all[i].ID {
				t.Fatalf("entry %d differs between paging and one page", i)
			}
		}
	})
	t.Run("OtherWorkspacesSeeNothing", func(t *testing.T) {
		_, other, _ := newWorkspace(t, "Timeline neighbour")
		var n int64
		err := postgres.Tx(other, env.App, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT count(*) FROM conversation_timeline`).Scan(&n).Error
		})
		if err != nil || n != 0 {
			t.Fatalf("another workspace reads %d timeline entries (%v)", n, err)
		}
	})
}
