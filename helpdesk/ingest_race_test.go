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

// A message that meets an agent closing its conversation waits for the
// close, and does not go into the closed conversation: it starts a new
// one.
func TestIngestWaitingOnAClose(t *testing.T) {
	d := newRaceDesk(t, "Closing")
	first, err := d.write(d.ctx, "hello")
	if err != nil {
		t.Fatal(err)
	}
	closed := helpdesk.StatusClosed
	var second *helpdesk.Ingested
	var writeErr error
	var wait func()
	err = postgres.Tx(d.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		if _, err := d.svc.UpdateConversation(ctx, first.ConversationID, helpdesk.ConversationUpdate{Status: &closed}); err != nil {
			return err
		}
		wait = d.untilBlockedOrDone(func() { second, writeErr = d.write(d.ctx, "hello again") })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wait()
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	if second.ConversationID == first.ConversationID {
		t.Fatal("the message went into the conversation closed meanwhile")
	}
	if c, err := d.svc.FindConversation(d.ctx, first.ConversationID); err != nil || c.Status != helpdesk.StatusClosed || len(c.Messages) != 1 {
		t.Fatalf("the closed conversation: %+v, %v", c, err)
	}
	conv, err := d.svc.FindConversation(d.ctx, second.ConversationID)
	if err != nil || conv.Status != helpdesk.StatusOpen || conv.MessageCount != 1 {
		t.Fatalf("the new conversation: %+v, %v", conv, err)
	}
}
