package helpdesk_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
)

// lanesFixture is a workspace whose helpdesk asks billing for the VIP
// lanes, as the binary wires it.
type lanesFixture struct {
	t       *testing.T
	ctx     context.Context
	tenant  uuid.UUID
	svc     *helpdesk.Service
	billing *billing.Service
}

func newLanes(t *testing.T, plan string) *lanesFixture {
	t.Helper()
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Lanes " + plan})
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	t.Cleanup(func() { client.Close() })
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	outbox := jobs.NewOutbox(client, env.App, log)
	f := &lanesFixture{t: t, tenant: ws.ID, ctx: deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})}
	f.billing = billing.NewService(env.App, env.System, outbox, billing.DefaultConfig(), log)
	if err := f.billing.SetDemo(f.ctx, plan); err != nil {
		t.Fatal(err)
	}
	f.svc = helpdesk.NewService(env.App, &assignments{}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "other", Urgency: "low", Route: "agent", Level: "L3"}
	}), helpdesk.DefaultConfig())
	f.svc.UseLanes(func(ctx context.Context, id uuid.UUID) (bool, error) {
		e, err := f.billing.Entitlements(ctx, id)
		return e.VIPLanes, err
	})
	return f
}

// agent adds a member with a profile: offline, capacity 1, gold or not,
// holding load open conversations of other customers.
func (f *lanesFixture) agent(gold bool) uuid.UUID {
	f.t.Helper()
	id := uuid.New()
	for _, q := range []string{`INSERT INTO users (id, email, password_hash) VALUES (@u, @e, 'x')`,
		`INSERT INTO memberships (tenant_id, user_id, role) VALUES (@t, @u, 'agent')`,
		`INSERT INTO agent_profiles (tenant_id, user_id, capacity, gold) VALUES (@t, @u, 3, @g)`} {
		if err := env.System.Exec(q, map[string]any{"t": f.tenant, "u": id, "e": id.String() + "@example.com", "g": gold}).Error; err != nil {
			f.t.Fatal(err)
		}
	}
	return id
}

// write opens a conversation of a new customer; segment and manager, when
// set, are what segments and an owner would have set on the customer.
func (f *lanesFixture) write(segment string, manager *uuid.UUID) uuid.UUID {
	f.t.Helper()
	in, err := f.svc.Ingest(f.ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: uuid.NewString()}, Body: "hello?"})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := env.System.Exec(`UPDATE customers SET segment = ?, account_manager_id = ? WHERE tenant_id = ? AND id = ?`,
		segment, manager, f.tenant, in.CustomerID).Error; err != nil {
		f.t.Fatal(err)
	}
	return in.ConversationID
}

func (f *lanesFixture) online(id uuid.UUID) {
	f.t.Helper()
	on := "online"
	if _, err := f.svc.UpdateAgent(f.ctx, id, helpdesk.AgentUpdate{Status: &on}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *lanesFixture) holder(conv uuid.UUID) uuid.UUID {
	f.t.Helper()
	var ids []uuid.UUID
	ids, err := postgres.ScanIDs(env.System.Raw(`SELECT assignee_id FROM conversations WHERE tenant_id = ? AND id = ? AND assignee_id IS NOT NULL`, f.tenant, conv))
	if err != nil {
		f.t.Fatal(err)
	}
	if len(ids) == 0 {
		return uuid.Nil
	}
	return ids[0]
}

// TestVIPLanes: a high-value customer is served before a customer who
// has waited longer; on a plan with the VIP lanes a gold agent takes
// them ahead of a less busy agent, and a customer's account manager
// takes their conversation when online.
func TestVIPLanes(t *testing.T) {
	t.Run("HighValueBeatsLongerWait", func(t *testing.T) {
		f := newLanes(t, billing.PlanFree)
		agent := f.agent(false)
		if err := env.System.Exec(`UPDATE agent_profiles SET capacity = 1 WHERE tenant_id = ?`, f.tenant).Error; err != nil {
			t.Fatal(err)
		}
		plain := f.write("mass", nil)
		valued := f.write("high_value", nil)
		f.online(agent)
		if f.holder(valued) != agent || f.holder(plain) != uuid.Nil {
			t.Fatalf("the plain conversation went to %v; the high-value one (%v) to %v", f.holder(plain), valued, f.holder(valued))
		}
	})
	// A VIP and a vulnerable customer come before one waiting longer too.
	for _, flag := range []string{"vip", "vulnerable"} {
		t.Run(flag+"BeatsLongerWait", func(t *testing.T) {
			f := newLanes(t, billing.PlanFree)
			agent := f.agent(false)
			if err := env.System.Exec(`UPDATE agent_profiles SET capacity = 1 WHERE tenant_id = ?`, f.tenant).Error; err != nil {
				t.Fatal(err)
			}
			plain := f.write("mass", nil)
			marked := f.write("mass", nil)
			if err := env.System.Exec(`UPDATE customers SET `+flag+` = true WHERE tenant_id = ? AND id = (SELECT customer_id FROM conversations WHERE id = ?)`,
				f.tenant, marked).Error; err != nil {
				t.Fatal(err)
			}
			f.online(agent)
			if f.holder(marked) != agent || f.holder(plain) != uuid.Nil {
				t.Fatalf("the plain conversation went to %v; the %s one to %v", f.holder(plain), flag, f.holder(marked))
			}
		})
	}
	// Pro has no VIP lanes; free has none either, but its two seats would
	// leave one of the two agents out whatever the lanes do.
	for _, plan := range []string{billing.PlanPremium, billing.PlanPro} {
		t.Run("GoldFirstOn"+plan, func(t *testing.T) {
			f := newLanes(t, plan)
			gold, other := f.agent(true), f.agent(false)
			f.online(gold)
			f.write("", nil) // the gold agent, alone online, takes it: busier than the other
			if _, err := f.svc.AssignWaiting(f.ctx); err != nil {
				t.Fatal(err)
			}
			f.online(other)
			conv := f.write("high_value", nil)
			if _, err := f.svc.AssignWaiting(f.ctx); err != nil {
				t.Fatal(err)
			}
			want := gold
			if plan == billing.PlanPro { // no lanes: the less busy agent
				want = other
			}
			if got := f.holder(conv); got != want {
				t.Fatalf("on %s the high-value conversation went to %v, want %v (gold %v)", plan, got, want, gold)
			}
		})
	}
	// The VIP flag alone (a mass customer) puts the conversation in the
	// lane as the high-value segment does.
	t.Run("GoldFirstForVIP", func(t *testing.T) {
		f := newLanes(t, billing.PlanPremium)
		gold, other := f.agent(true), f.agent(false)
		f.online(gold)
		f.write("", nil) // the gold agent, alone online, takes it: busier than the other
		if _, err := f.svc.AssignWaiting(f.ctx); err != nil {
			t.Fatal(err)
		}
		f.online(other)
		conv := f.write("mass", nil)
		if err := env.System.Exec(`UPDATE customers SET vip = true WHERE tenant_id = ? AND id = (SELECT customer_id FROM conversations WHERE id = ?)`,
			f.tenant, conv).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AssignWaiting(f.ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.holder(conv); got != gold {
			t.Fatalf("the VIP conversation went to %v, want the gold agent %v", got, gold)
		}
	})
	t.Run("NoGoldFreeThenTheNextBest", func(t *testing.T) {
		f := newLanes(t, billing.PlanPremium)
		gold, other := f.agent(true), f.agent(false)
		if err := env.System.Exec(`UPDATE agent_profiles SET capacity = 1 WHERE tenant_id = ? AND user_id = ?`, f.tenant, gold).Error; err != nil {
			t.Fatal(err)
		}
		f.online(gold)
		f.write("", nil) // fills the gold agent
		if _, err := f.svc.AssignWaiting(f.ctx); err != nil {
			t.Fatal(err)
		}
		f.online(other)
		conv := f.write("high_value", nil)
		if _, err := f.svc.AssignWaiting(f.ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.holder(conv); got != other {
			t.Fatalf("with the gold agent full the high-value conversation went to %v, want the next best agent %v", got, other)
		}
	})
	// The account manager is a lane too: on pro the customer's
	// conversation goes by the ordinary rules (the less busy agent).
	for _, plan := range []string{billing.PlanPremium, billing.PlanPro} {
		t.Run("AccountManagerOn"+plan, func(t *testing.T) {
			f := newLanes(t, plan)
			manager, other := f.agent(false), f.agent(false)
			f.online(manager)
			f.write("", nil) // the manager, alone online, takes it: busier than the other
			if _, err := f.svc.AssignWaiting(f.ctx); err != nil {
				t.Fatal(err)
			}
			f.online(other)
			conv := f.write("", &manager)
			if _, err := f.svc.AssignWaiting(f.ctx); err != nil {
				t.Fatal(err)
			}
			want := manager
			if plan == billing.PlanPro {
				want = other
			}
			if got := f.holder(conv); got != want {
				t.Fatalf("on %s the managed customer's conversation went to %v, want %v (manager %v)", plan, got, want, manager)
			}
		})
	}
	t.Run("AccountManager", func(t *testing.T) {
		f := newLanes(t, billing.PlanPremium)
		gold, manager := f.agent(true), f.agent(false)
		f.online(gold)
		f.online(manager)
		conv := f.write("high_value", &manager)
		if _, err := f.svc.AssignWaiting(f.ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.holder(conv); got != manager {
			t.Fatalf("the conversation went to %v, not the account manager %v", got, manager)
		}
	})
}
