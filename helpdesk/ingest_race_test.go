package helpdesk_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	_ "github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// A message from an identity whose customer is being merged into another
// waits for the merge and lands with the customer it was merged into, not
// with the record merged away.
func TestIngestWaitingOnAMerge(t *testing.T) {
	svc, ctx, tenantID := newWorkspace(t, "Merging")
	ingest := func(ext string) *helpdesk.Ingested {
		in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: ext}, Body: "hello"})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	x, y := ingest("merge-x").CustomerID, ingest("merge-y").CustomerID

	admin, err := sql.Open("pgx", env.AdminDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	type result struct {
		in  *helpdesk.Ingested
		err error
	}
	done := make(chan result, 1)
	err = postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		if _, err := svc.MergeCustomers(ctx, x, y); err != nil {
			return err
		}
		go func() {
			in, err := svc.Ingest(deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: tenantID}),
				helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "merge-y"}, Body: "me again"})
			done <- result{in, err}
		}()
		// Commit the merge only once the message waits for it.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			var waiting int
			if err := admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, env.Name).Scan(&waiting); err != nil {
				return err
			}
			if waiting > 0 {
				return nil
			}
			if time.Now().After(deadline) {
				t.Fatal("the message never waited for the merge")
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.in.CustomerID != x {
		t.Fatalf("the message went to customer %s, not %s, which %s was merged into", r.in.CustomerID, x, y)
	}
	conv, err := svc.FindConversation(ctx, r.in.ConversationID)
	if err != nil || conv.CustomerID != x {
		t.Fatalf("its conversation: %+v, %v", conv, err)
	}
}

// A conversation an agent closes after a message chose it, before the
// message is stored, does not swallow the message: it starts a new one.
func TestIngestAfterTheConversationClosed(t *testing.T) {
	_, ctx, tenantID := newWorkspace(t, "Closing")
	var closeFirst func()
	svc := helpdesk.NewService(env.App, noEvents{}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		if closeFirst != nil {
			closeFirst() // runs between choosing the conversation and storing the message
		}
		return helpdesk.Triage{Intent: "other", Urgency: "low", Route: "agent", Level: "L3"}
	}), helpdesk.DefaultConfig())
	send := func() *helpdesk.Ingested {
		in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "closer"}, Body: "hello"})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	first := send()
	closeFirst = func() {
		if err := env.System.Exec(`UPDATE conversations SET status = 'closed', closed_at = now() WHERE tenant_id = ? AND id = ?`,
			tenantID, first.ConversationID).Error; err != nil {
			t.Error(err)
		}
	}
	second := send()
	if second.ConversationID == first.ConversationID {
		t.Fatal("the message went into the conversation closed meanwhile")
	}
	var n int
	env.System.Raw(`SELECT count(*) FROM messages WHERE tenant_id = ? AND conversation_id = ?`, tenantID, first.ConversationID).Scan(&n)
	if n != 1 {
		t.Fatalf("the closed conversation has %d messages", n)
	}
	conv, err := svc.FindConversation(ctx, second.ConversationID)
	if err != nil || conv.Status != helpdesk.StatusOpen || conv.MessageCount != 1 {
		t.Fatalf("the new conversation: %+v, %v", conv, err)
	}
}
