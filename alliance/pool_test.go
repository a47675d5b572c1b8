package alliance_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

type noEvents struct{}

func (noEvents) Emit(context.Context, *gorm.DB, string, any) error { return nil }

// webhooks records the pool webhooks committed, by conversation.
type webhooks struct {
	mu   sync.Mutex
	sent map[uuid.UUID][]string
}

func (h *webhooks) Emit(ctx context.Context, tx *gorm.DB, eventType string, data any) error {
	c := data.(map[string]any)["conversation"].(*helpdesk.Conversation)
	postgres.AfterCommit(ctx, func() { h.mu.Lock(); h.sent[c.ID] = append(h.sent[c.ID], eventType); h.mu.Unlock() })
	return nil
}

func (h *webhooks) of(id uuid.UUID) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.sent[id])
}

var seq atomic.Int64

// person is a signed-up user acting in their own workspace as its owner.
type person struct {
	ctx   context.Context
	user  uuid.UUID
	ws    uuid.UUID
	slug  string
	email string
}

func signup(t *testing.T, brand string) person {
	t.Helper()
	n := seq.Add(1)
	email := fmt.Sprintf("p%d.%d@example.com", time.Now().UnixNano(), n)
	ws, u, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: email, Password: "correct horse battery", BrandName: fmt.Sprintf("%s %d", brand, n)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID, UserID: u.ID, Role: tenant.RoleOwner})
	return person{ctx: ctx, user: u.ID, ws: ws.ID, slug: ws.Slug, email: email}
}

// world is an alliance of two member brands (A, B) with a pool of two
// agents, and a brand outside it (C).
type world struct {
	hd         *helpdesk.Service
	svc        *alliance.Service
	hooks      *webhooks
	admin      person
	a, b, c    person
	p1, p2     person
	allianceID uuid.UUID
	poolTokens map[string]string // each pool agent's invitation token, by email
}

func newWorld(t *testing.T) *world {
	t.Helper()
	hd := helpdesk.NewService(env.App, noEvents{}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "order_status", Urgency: "high", Route: "agent", Level: "L3", Language: "zh"}
	}), helpdesk.DefaultConfig())
	svc := alliance.NewService(env.App, env.System, hd)
	// As serve wires it: whether a brand may overflow at all is cached,
	// in step with the change listener.
	tenants := tenant.NewService(env.App)
	testenv.Listen(t, tenants, env.AppDSN)
	svc.UseWorkspaceCache(tenants)
	hooks := &webhooks{sent: map[uuid.UUID][]string{}}
	svc.UseEvents(hooks)
	hd.Observe(svc)
	hd.ObservePresence(svc)
	w := &world{hd: hd, svc: svc, hooks: hooks, admin: signup(t, "Alliance HQ"), a: signup(t, "Tea"), b: signup(t, "Cups"), c: signup(t, "Outsider"),
		p1: signup(t, "Pool One"), p2: signup(t, "Pool Two")}
	al, err := svc.CreateAlliance(w.admin.ctx, alliance.NewAlliance{Name: "South Shops"})
	if err != nil {
		t.Fatal(err)
	}
	w.allianceID = al.ID
	for _, brand := range []person{w.a, w.b} {
		if _, err := svc.InviteBrand(w.admin.ctx, al.ID, alliance.BrandInvite{Slug: brand.slug}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AcceptInvitation(brand.ctx, al.ID, brand.ws); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetOverflow(brand.ctx, al.ID, brand.ws, alliance.OverflowRule{Enabled: true, WhenNoAgent: true, SLAShare: 50}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []person{w.p1, w.p2} {
		inv, err := svc.InvitePoolAgent(w.admin.ctx, al.ID, alliance.NewPoolAgent{Email: p.email, Languages: []string{"zh"}})
		if err != nil {
			t.Fatal(err)
		}
		if w.poolTokens == nil {
			w.poolTokens = map[string]string{}
		}
		w.poolTokens[p.email] = inv.Token
		// only an account that verified the invitation's email accepts it
		if err := env.System.Exec(`UPDATE users SET email_verified_at = now() WHERE id = ?`, p.user).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AcceptPoolInvite(p.ctx, al.ID, inv.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetPresence(p.ctx, al.ID, alliance.Presence{Status: "online"}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// The customer's real personal data, which no pool response may carry.
const (
	realPhone = "+8613812345678"
	realLocal = "13812345678"
	realEmail = "li.na@example.com"
	realName  = "李娜"
)

func ingest(t *testing.T, w *world, brand person, who string) uuid.UUID {
	t.Helper()
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: brand.ws})
	got, err := w.hd.Ingest(ctx, helpdesk.InboundMessage{Channel: "web",
		Customer: helpdesk.CustomerRef{Email: who + realEmail, Phone: realPhone, Name: realName},
		Body:     "我是" + realName + "，订单DT-1001还没发货，电话 " + realLocal + "，邮箱 " + realEmail})
	if err != nil {
		t.Fatal(err)
	}
	return got.ConversationID
}

// holder returns which pool agent the pool gave conversation id to.
func holder(t *testing.T, w *world, id uuid.UUID) (held, other person) {
	t.Helper()
	for _, p := range []person{w.p1, w.p2} {
		items, err := w.svc.FindPool(p.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.ConversationID == id {
				if p.user == w.p1.user {
					return w.p1, w.p2
				}
				return w.p2, w.p1
			}
		}
	}
	t.Fatalf("no pool agent holds %s", id)
	return
}

func leaks(t *testing.T, what string, v any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{realPhone, realLocal, "li.na@", realName} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("%s shows %q: %s", what, secret, raw)
		}
	}
}

func code(err error) string { return deskpool.ErrorCode(err) }

func count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := env.System.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPoolOverflowMaskedAuditedAndIsolated(t *testing.T) {
	w := newWorld(t)
	convA := ingest(t, w, w.a, "a.")
	convC := ingest(t, w, w.c, "c.")
	// Brand B has its own agent online: its conversation stays home.
	online := "online"
	if _, err := w.hd.UpdateAgent(w.b.ctx, w.b.user, helpdesk.AgentUpdate{Status: &online}); err != nil {
		t.Fatal(err)
	}
	convB := ingest(t, w, w.b, "b.")

	held, other := holder(t, w, convA)
	items, err := w.svc.FindPool(held.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].TenantID != w.a.ws {
		t.Fatalf("the pool agent's list: %+v, want brand A's conversation only", items)
	}
	leaks(t, "the pool list", items)

	d, err := w.svc.FindPoolConversation(held.ctx, convA)
	if err != nil {
		t.Fatal(err)
	}
	leaks(t, "the pool conversation", d)
	if d.Customer.Phone != "138****5678" || d.Customer.Email != "a***@example.com" || d.Customer.Name != "李**" {
		t.Errorf("masked customer: %+v", d.Customer)
	}
	if len(d.Messages) != 1 || !strings.Contains(d.Messages[0].Body, "DT-1001") || !strings.Contains(d.Messages[0].Body, "138****5678") {
		t.Errorf("masked message keeps the order and masks the phone: %+v", d.Messages)
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		for name, c := range map[string]struct {
			who person
			id  uuid.UUID
		}{"other pool agent": {other, convA}, "non-member brand": {held, convC}, "member's unpooled": {held, convB},
			"brand owner": {w.a, convA}, "unknown": {held, uuid.New()}} {
			if _, err := w.svc.FindPoolConversation(c.who.ctx, c.id); code(err) != deskpool.ENOTFOUND {
				t.Errorf("%s reading: %v, want not found", name, err)
			}
			if _, err := w.svc.ReplyPool(c.who.ctx, c.id, helpdesk.Reply{Body: "hi"}); code(err) != deskpool.ENOTFOUND {
				t.Errorf("%s replying: %v, want not found", name, err)
			}
		}
	})

	if n := count(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'pool.listed' AND actor_id = ? AND target_id = ?`,
		w.a.ws, held.user, convA.String()); n == 0 {
		t.Error("the brand's audit log does not show the pool listing")
	}
	if n := count(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'pool.conversation_read' AND actor_id = ?`, w.a.ws, held.user); n != 1 {
		t.Errorf("brand audit entries of the read: %d, want 1", n)
	}
	if n := count(t, `SELECT count(*) FROM alliance_audit WHERE alliance_id = ? AND action = 'pool.conversation_read' AND actor_id = ? AND brand_id = ?`,
		w.allianceID, held.user, w.a.ws); n != 1 {
		t.Errorf("alliance audit entries of the read: %d, want 1", n)
	}

	// Metering: the first reply counts the conversation once, retries do not.
	for i := 0; i < 3; i++ {
		if _, err := w.svc.ReplyPool(held.ctx, convA, helpdesk.Reply{Body: "您好，我们马上查。"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, `SELECT count(*) FROM pool_usage WHERE tenant_id = ?`, w.a.ws); n != 1 {
		t.Errorf("pool usage rows: %d, want 1", n)
	}
	if n := count(t, `SELECT coalesce(sum(quantity), 0) FROM usage_buckets WHERE tenant_id = ? AND meter = ?`, w.a.ws, alliance.MeterPool); n != 1 {
		t.Errorf("pool meter: %d, want 1", n)
	}
	u, err := w.svc.FindUsage(w.admin.ctx, w.allianceID, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if u.Conversations != 1 || len(u.Brands) != 1 || u.Brands[0].TenantID != w.a.ws || u.Brands[0].Conversations != u.Conversations {
		t.Errorf("settlement: %+v", u)
	}
	if _, err := w.svc.FindUsage(held.ctx, w.allianceID, time.Time{}, time.Time{}); code(err) != deskpool.EFORBIDDEN {
		t.Errorf("a pool agent reading the settlement: %v", err)
	}

	// Leaving returns the open pool conversation at once and closes it to the pool.
	if err := w.svc.Leave(w.a.ctx, w.allianceID, w.a.ws); err != nil {
		t.Fatal(err)
	}
	if got := w.hooks.of(convA); !slices.Equal(got, []string{helpdesk.EventConversationPooled, helpdesk.EventConversationUnpooled}) {
		t.Errorf("the brand's pool webhooks: %v", got)
	}
	if got := w.hooks.of(convC); len(got) != 0 {
		t.Errorf("the outsider's pool webhooks: %v", got)
	}
	var assignee *uuid.UUID
	if err := env.System.Raw(`SELECT assignee_id FROM conversations WHERE tenant_id = ? AND id = ?`, w.a.ws, convA).Row().Scan(&assignee); err != nil {
		t.Fatal(err)
	}
	if assignee != nil {
		t.Errorf("after leaving the conversation is still held by %s", assignee)
	}
	if _, err := w.svc.FindPoolConversation(held.ctx, convA); code(err) != deskpool.ENOTFOUND {
		t.Errorf("reading after the brand left: %v, want not found", err)
	}
	if items, _ := w.svc.FindPool(held.ctx); len(items) != 0 {
		t.Errorf("the pool list after the brand left: %+v", items)
	}
}

func TestTakenBackThenReplyConflicts(t *testing.T) {
	w := newWorld(t)
	conv := ingest(t, w, w.b, "b.")
	held, _ := holder(t, w, conv)
	// The brand takes it back: its owner assigns it to themself.
	me := w.b.user
	if _, err := w.hd.UpdateConversation(w.b.ctx, conv, helpdesk.ConversationUpdate{AssigneeID: &me}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.ReplyPool(held.ctx, conv, helpdesk.Reply{Body: "late"}); code(err) != deskpool.ECONFLICT {
		t.Fatalf("reply after the brand took it back: %v, want conflict", err)
	}
	if n := count(t, `SELECT load FROM alliance_staff WHERE alliance_id = ? AND user_id = ? AND role = 'pool_agent'`, w.allianceID, held.user); n != 0 {
		t.Errorf("the pool agent's load after the take-back: %d", n)
	}

	// A recall returns it to the brand's queue at once.
	if _, err := w.hd.UpdateConversation(w.b.ctx, conv, helpdesk.ConversationUpdate{Unassign: true}); err != nil {
		t.Fatal(err)
	}
	if err := postgres.Tx(w.b.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		_, err := w.svc.HandToPool(ctx, tx, conv)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	held, _ = holder(t, w, conv)
	if err := w.svc.Recall(w.b.ctx, conv); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.ReplyPool(held.ctx, conv, helpdesk.Reply{Body: "late"}); code(err) != deskpool.ECONFLICT {
		t.Fatalf("reply after a recall: %v, want conflict", err)
	}
	if n := count(t, `SELECT count(*) FROM conversations WHERE tenant_id = ? AND id = ? AND assignee_id IS NULL`, w.b.ws, conv); n != 1 {
		t.Error("the recalled conversation is not back in the brand's queue")
	}
	if err := w.svc.Recall(w.b.ctx, conv); code(err) != deskpool.ECONFLICT {
		t.Errorf("recalling twice: %v, want conflict", err)
	}
}

func TestHandToPoolAndBadInput(t *testing.T) {
	w := newWorld(t)
	online := "online"
	if _, err := w.hd.UpdateAgent(w.a.ctx, w.a.user, helpdesk.AgentUpdate{Status: &online}); err != nil {
		t.Fatal(err)
	}
	conv := ingest(t, w, w.a, "a.") // A's own agent is online: not pooled
	var offered bool
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: w.a.ws})
	if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) (err error) {
		offered, err = w.svc.HandToPool(ctx, tx, conv)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !offered {
		t.Fatal("hand_to_pool did not offer the conversation")
	}
	held, _ := holder(t, w, conv)
	if _, err := w.svc.FindPoolConversation(held.ctx, conv); err != nil {
		t.Fatal(err)
	}

	t.Run("ErrConflict", func(t *testing.T) {
		if _, err := w.svc.AcceptInvitation(w.a.ctx, w.allianceID, w.a.ws); code(err) != deskpool.ECONFLICT {
			t.Errorf("accepting twice: %v", err)
		}
		if _, err := w.svc.AcceptPoolInvite(w.p1.ctx, w.allianceID, w.poolTokens[w.p1.email]); code(err) != deskpool.ECONFLICT {
			t.Errorf("a pool agent accepting twice: %v", err)
		}
	})
	t.Run("UnknownEmailAnswersLikeAKnownOne", func(t *testing.T) {
		inv, err := w.svc.InvitePoolAgent(w.admin.ctx, w.allianceID, alliance.NewPoolAgent{Email: "nobody.here@example.com"})
		if err != nil {
			t.Fatalf("inviting an email without an account: %v", err)
		}
		if _, err := w.svc.AcceptPoolInvite(w.c.ctx, w.allianceID, inv.Token); code(err) != deskpool.ENOTFOUND {
			t.Errorf("accepting without an invitation: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := w.svc.SetOverflow(w.a.ctx, w.allianceID, w.a.ws, alliance.OverflowRule{Enabled: true, Intents: pq.StringArray{"weather"}})
		var e *deskpool.Error
		if code(err) != deskpool.EINVALID || !asError(err, &e) || len(e.Fields) == 0 || e.Fields[0].Field != "intents" {
			t.Errorf("unknown intent: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		// The alliance's admin is not the brand's: brand routes are closed to them.
		if _, err := w.svc.SetOverflow(w.admin.ctx, w.allianceID, w.a.ws, alliance.OverflowRule{}); code(err) != deskpool.ENOTFOUND {
			t.Errorf("alliance admin on a brand's rule: %v", err)
		}
		if _, err := w.svc.InviteBrand(w.c.ctx, w.allianceID, alliance.BrandInvite{Slug: w.c.slug}); code(err) != deskpool.ENOTFOUND {
			t.Errorf("an outsider inviting: %v", err)
		}
	})
}

func asError(err error, e **deskpool.Error) bool { return errors.As(err, e) }

// A brand agent coming online takes back what the pool has not answered:
// it goes to them at once, and the pool agent's reply is then 409.
func TestBrandAgentOnlineTakesItBack(t *testing.T) {
	w := newWorld(t)
	conv := ingest(t, w, w.a, "a.")
	held, _ := holder(t, w, conv)
	online := "online"
	if _, err := w.hd.UpdateAgent(w.a.ctx, w.a.user, helpdesk.AgentUpdate{Status: &online}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, `SELECT count(*) FROM conversations WHERE tenant_id = ? AND id = ? AND assignee_id = ?`, w.a.ws, conv, w.a.user); n != 1 {
		t.Fatal("the brand's agent who came online did not get the conversation back")
	}
	if _, err := w.svc.ReplyPool(held.ctx, conv, helpdesk.Reply{Body: "late"}); code(err) != deskpool.ECONFLICT {
		t.Fatalf("pool reply after the brand's agent came online: %v, want conflict", err)
	}
	if got := w.hooks.of(conv); !slices.Equal(got, []string{helpdesk.EventConversationPooled, helpdesk.EventConversationUnpooled}) {
		t.Errorf("the brand's pool webhooks: %v", got)
	}
}

// The alliance's metrics count what the pool took and answered, per brand
// and per agent.
func TestPoolMetrics(t *testing.T) {
	w := newWorld(t)
	conv := ingest(t, w, w.a, "a.")
	held, _ := holder(t, w, conv)
	if _, err := w.svc.ReplyPool(held.ctx, conv, helpdesk.Reply{Body: "On it."}); err != nil {
		t.Fatal(err)
	}
	m, err := w.svc.FindMetrics(w.admin.ctx, w.allianceID, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Total.Pooled != 1 || m.Total.Answered != 1 || m.Total.FRTSeconds == nil || len(m.Brands) != 1 || m.Brands[0].TenantID != w.a.ws ||
		len(m.Agents) != 1 || m.Agents[0].UserID != held.user || m.Agents[0].Answered != 1 {
		raw, _ := json.Marshal(m)
		t.Errorf("metrics: %s", raw)
	}
	if _, err := w.svc.FindMetrics(held.ctx, w.allianceID, time.Time{}, time.Time{}); code(err) != deskpool.EFORBIDDEN {
		t.Errorf("a pool agent reading the metrics: %v", err)
	}
}
