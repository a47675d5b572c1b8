package alliance_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// isDeadlock reports whether err is PostgreSQL's deadlock error.
func isDeadlock(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "deadlock detected") || strings.Contains(err.Error(), "40P01"))
}

// Everything that touches a pool conversation, its pool row and its pool
// agent's row, run at once many times: pool agents replying, resolving
// and handing back, the SLA ladder sending the conversation back to the
// queue, the brand resolving and recalling it, the brand's agent coming
// online, the pool agents' presence, new offers and the router. Each
// takes the locks in the one order (conversation, pool row, agent row),
// so none of them dies of a deadlock; the loads still match.
func TestPoolOperationsNeverDeadlock(t *testing.T) {
	w := newWorld(t)
	const rounds = 25
	online, offline := "online", "offline"
	seenConflicts := 0
	for round := 0; round < rounds; round++ {
		var convs []uuid.UUID
		for i := 0; i < 4; i++ {
			brand := []person{w.a, w.b}[i%2]
			convs = append(convs, ingestFrom(t, w, brand, fmt.Sprintf("dl%d.%d.", round, i), fmt.Sprintf("+86137%04d%04d", round, i)))
		}
		holders := map[uuid.UUID]person{}
		for _, id := range convs {
			for _, p := range []person{w.p1, w.p2} {
				if count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND agent_id = ? AND state = 'assigned'`, id, p.user) == 1 {
					holders[id] = p
				}
			}
		}
		brandOf := func(i int) person { return []person{w.a, w.b}[i%2] }
		var ops []func() error
		for i, id := range convs {
			held, ok := holders[id]
			if !ok {
				continue
			}
			brand := brandOf(i)
			ops = append(ops,
				func() error {
					_, err := w.svc.ReplyPool(held.ctx, id, helpdesk.Reply{Body: "我来帮您查一下"})
					return err
				},
				func() error {
					_, err := w.svc.ReplyPool(held.ctx, id, helpdesk.Reply{Body: "已经在处理"})
					return err
				},
				func() error { // the SLA ladder: back to the L4 queue, as sla does
					ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: brand.ws})
					return postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
						if err := helpdesk.LockAssignment(ctx, tx); err != nil {
							return err
						}
						_, err := w.hd.Requeue(ctx, tx, id, &held.user, "L4")
						return err
					})
				})
			switch i % 4 {
			case 0:
				ops = append(ops, func() error { return w.svc.ResolvePool(held.ctx, id) })
			case 1:
				ops = append(ops, func() error { return w.svc.HandBackPool(held.ctx, id) })
			case 2:
				ops = append(ops, func() error {
					resolved := helpdesk.StatusResolved
					_, err := w.hd.UpdateConversation(brand.ctx, id, helpdesk.ConversationUpdate{Status: &resolved})
					return err
				})
			case 3:
				ops = append(ops, func() error { return w.svc.Recall(brand.ctx, id) })
			}
		}
		for _, p := range []person{w.p1, w.p2} {
			ops = append(ops, func() error {
				if _, err := w.svc.SetPresence(p.ctx, w.allianceID, alliance.Presence{Status: "offline"}); err != nil {
					return err
				}
				_, err := w.svc.SetPresence(p.ctx, w.allianceID, alliance.Presence{Status: "online"})
				return err
			})
		}
		ops = append(ops,
			func() error { _, err := w.svc.RouteWaiting(context.Background(), w.allianceID); return err },
			func() error { // a brand agent online takes back what the pool has not answered, then leaves again
				if _, err := w.hd.UpdateAgent(w.b.ctx, w.b.user, helpdesk.AgentUpdate{Status: &online}); err != nil {
					return err
				}
				_, err := w.hd.UpdateAgent(w.b.ctx, w.b.user, helpdesk.AgentUpdate{Status: &offline})
				return err
			})
		for i := 0; i < 2; i++ {
			brand := brandOf(i)
			ops = append(ops, func() error {
				ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: brand.ws})
				_, err := w.hd.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Body: "订单还没发货",
					Customer: helpdesk.CustomerRef{Email: fmt.Sprintf("dl.new%d.%d@example.com", round, i)}})
				return err
			})
		}
		errs := make([]error, len(ops))
		var wg sync.WaitGroup
		for i, op := range ops {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = op() }()
		}
		wg.Wait()
		for _, err := range errs {
			if isDeadlock(err) {
				t.Fatalf("round %d: %v", round, err)
			}
			switch deskpool.ErrorCode(err) {
			case "", deskpool.ECONFLICT, deskpool.ENOTFOUND: // lost a race: taken back, resolved, moved meanwhile
				if err != nil {
					seenConflicts++
				}
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		loadsMatch(t, w, fmt.Sprintf("round %d", round))
		// The pool starts each round empty-handed.
		if _, err := w.svc.RouteWaiting(context.Background(), w.allianceID); err != nil {
			t.Fatal(err)
		}
		for _, p := range []person{w.p1, w.p2} {
			items, err := w.svc.FindPool(p.ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if err := w.svc.ResolvePool(p.ctx, it.ConversationID); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	t.Logf("%d operations lost a race (409/404), none deadlocked", seenConflicts)
}
