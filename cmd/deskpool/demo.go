package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/sla"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
)

// The demo workspace: its brand, its owner and the people and data that
// make it show the product working. Every step goes through the domain
// services, as a request would, and is safe to run again.

const (
	demoEmail = "owner@demo.deskpool.local"
	demoBrand = "Demo Tea House"
)

// demoPassword is the demo owner's (and agents') password. With a master
// key it is derived from it, so it stays the same across runs of setup;
// without one it is random and reset at every run.
func demoPassword(masterKey string) (password string, stable bool) {
	if strings.TrimSpace(masterKey) == "" {
		return randomPassword(), false
	}
	mac := hmac.New(sha256.New, []byte(strings.TrimSpace(masterKey)))
	mac.Write([]byte("deskpool demo workspace password"))
	return "demo-" + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:12]), true
}

// demoAgent is a member of the demo workspace who answers conversations.
type demoAgent struct {
	email, name, status string
	senior              bool
	languages           []string
}

var demoAgents = []demoAgent{
	{"mei@demo.deskpool.local", "Mei Lin", "online", true, []string{"zh", "en"}},
	{"sam@demo.deskpool.local", "Sam Carter", "away", false, []string{"en"}},
	{"li@demo.deskpool.local", "Li Wei", "offline", true, []string{"zh"}},
}

// demoMessage is a customer's message of the demo, by level and language.
type demoMessage struct {
	id       string // its external id: a second run finds it stored
	channel  string
	customer helpdesk.CustomerRef
	body     string
	orderRef string
}

// The phones of the demo's customers who write from a mini program and a
// marketplace: their shop orders carry the same phone, so each is one
// customer with their orders (a shop's customer id is not a channel's).
const (
	demoPhoneZhang = "+8613900139000"
	demoPhoneChen  = "+8613700137000"
)

var demoMessages = []demoMessage{
	{"demo-1", "web", helpdesk.CustomerRef{Email: "alice@example.com", Name: "Alice Brown"},
		"Hi, has my order DT-1002 shipped yet? When will it arrive?", "DT-1002"},
	{"demo-2", "mini_program", helpdesk.CustomerRef{ExternalID: "wx-demo-zhang", Phone: demoPhoneZhang, Name: "张伟"},
		"我的订单DT-1001已经超时未发货，说好48小时内发货的，怎么回事？", "DT-1001"},
	{"demo-3", "marketplace", helpdesk.CustomerRef{ExternalID: "tb-demo-chen", Phone: demoPhoneChen, Name: "陈静"},
		"收到的茶壶是碎的，太失望了！我要退款。", ""},
	{"demo-4", "email", helpdesk.CustomerRef{Email: "omar@example.com", Name: "Omar Haddad"},
		"My card was charged twice for one order and I think someone got into my account.", ""},
	{"demo-5", "live_stream", helpdesk.CustomerRef{ExternalID: "dy-demo-wang", Name: "王芳"},
		"直播间的满减优惠券怎么用？", ""},
	{"demo-6", "phone", helpdesk.CustomerRef{Phone: "+8613800138000", Name: "Mr. Zhou"},
		"I would like to talk to a person, please. I cannot find how to return the teapot.", ""},
}

// demoBreachPolicy is the policy under which the demo's phone call breaches
// its first response at once, so the workspace shows a breach that already
// happened; once it has, the policy goes after the catch-all one, where it
// matches no new conversation.
const demoBreachPolicy = "Demo: phone callers answered within 1 second"

// seedDemo fills the demo workspace of the owner signed in as actor.
func seedDemo(ctx context.Context, m *Main, out io.Writer, password string) error {
	if err := seedAgents(ctx, m, out, password); err != nil {
		return fmt.Errorf("demo agents: %w", err)
	}
	if err := seedOrders(ctx, m, out); err != nil {
		return fmt.Errorf("demo orders: %w", err)
	}
	if err := seedSavedReplies(ctx, m, out); err != nil {
		return fmt.Errorf("demo saved replies: %w", err)
	}
	if err := seedConversations(ctx, m, out); err != nil {
		return fmt.Errorf("demo conversations: %w", err)
	}
	// Agents come on shift last: the online one takes the waiting
	// conversations at once, as when an agent signs in.
	for _, a := range demoAgents {
		if err := setPresence(ctx, m, a); err != nil {
			return fmt.Errorf("demo agent %s: %w", a.email, err)
		}
	}
	return nil
}

// seedAgents invites the demo agents and accepts their invitations.
func seedAgents(ctx context.Context, m *Main, out io.Writer, password string) error {
	members, err := m.Tenants.ListMembers(ctx)
	if err != nil {
		return err
	}
	for _, a := range demoAgents {
		if memberOf(members, a.email) {
			continue
		}
		inv, err := m.Tenants.Invite(ctx, tenant.InvitationInput{Email: a.email, Role: tenant.RoleAgent})
		if err != nil {
			return err
		}
		if _, _, _, err := m.Tenants.AcceptInvitation(ctx, inv.Token, tenant.AcceptInput{Password: password, Name: a.name}); err != nil {
			return err
		}
		fmt.Fprintf(out, "added agent %s\n", a.email)
	}
	return nil
}

func memberOf(members []tenant.Member, email string) bool {
	for _, mb := range members {
		if strings.EqualFold(mb.Email, email) {
			return true
		}
	}
	return false
}

// setPresence sets an agent's status, skills and seniority.
func setPresence(ctx context.Context, m *Main, a demoAgent) error {
	agents, err := m.Helpdesk.FindAgents(ctx)
	if err != nil {
		return err
	}
	for _, ag := range agents {
		if ag.Email == a.email {
			capacity := 10
			_, err := m.Helpdesk.UpdateAgent(ctx, ag.UserID, helpdesk.AgentUpdate{Status: &a.status, Senior: &a.senior,
				Languages: &a.languages, Capacity: &capacity})
			return err
		}
	}
	return deskpool.Errorf(deskpool.ENOTFOUND, "agent %s is not a member", a.email)
}

// seedOrders pushes the shop's orders, as a sync would: one overdue and not
// shipped, one in transit, one delivered, and the stock of the teapots.
func seedOrders(ctx context.Context, m *Main, out io.Writer) error {
	now := time.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	line := func(sku, title string, qty int, price string) []inventory.LineInput {
		return []inventory.LineInput{{ExternalID: sku + "-1", SKU: sku, Title: title, Quantity: qty, Price: price}}
	}
	orders := []inventory.OrderInput{{
		ExternalID: "demo-order-1001", Number: "DT-1001", Status: "paid", Currency: "CNY", Total: "268.00",
		Customer:  inventory.OrderCustomer{Phone: demoPhoneZhang, Name: "张伟"},
		CreatedAt: at(-120 * time.Hour), UpdatedAt: at(-120 * time.Hour), PromisedShipBy: at(-72 * time.Hour),
		Lines: line("TEA-LJ-250", "Longjing green tea 250 g", 2, "134.00"),
	}, {
		ExternalID: "demo-order-1002", Number: "DT-1002", Status: "fulfilled", Currency: "CNY", Total: "399.00",
		Customer:  inventory.OrderCustomer{Email: "alice@example.com", Name: "Alice Brown"},
		CreatedAt: at(-72 * time.Hour), UpdatedAt: at(-48 * time.Hour), PromisedShipBy: at(-48 * time.Hour),
		Lines: line("POT-YX-01", "Yixing clay teapot", 1, "399.00"),
		Shipments: []inventory.ShipmentInput{{ExternalID: "demo-ship-1002", Carrier: "SF Express", TrackingNumber: "SF1234567890",
			Status: "in_transit", ShippedAt: at(-50 * time.Hour), EstimatedDelivery: at(24 * time.Hour), LastEventAt: at(-6 * time.Hour)}},
	}, {
		ExternalID: "demo-order-1003", Number: "DT-1003", Status: "fulfilled", Currency: "CNY", Total: "88.00",
		Customer:  inventory.OrderCustomer{Phone: demoPhoneChen, Name: "陈静"},
		CreatedAt: at(-240 * time.Hour), UpdatedAt: at(-168 * time.Hour), PromisedShipBy: at(-216 * time.Hour),
		Lines: line("CUP-GL-02", "Glass tea cups, pair", 1, "88.00"),
		Shipments: []inventory.ShipmentInput{{ExternalID: "demo-ship-1003", Carrier: "YTO", TrackingNumber: "YT9876543210",
			Status: "delivered", ShippedAt: at(-216 * time.Hour), LastEventAt: at(-168 * time.Hour)}},
	}}
	if err := demoPushConnector(ctx, m); err != nil {
		return err
	}
	res, err := m.Inventory.PushOrders(ctx, orders)
	if err != nil {
		return err
	}
	zero, twelve := 0, 12
	if _, err := m.Inventory.PushStock(ctx, []inventory.StockInput{
		{SKU: "POT-YX-01", Title: "Yixing clay teapot", Available: &zero, UpdatedAt: at(-time.Hour)},
		{SKU: "TEA-LJ-250", Title: "Longjing green tea 250 g", Available: &twelve, UpdatedAt: at(-time.Hour)},
	}); err != nil {
		return err
	}
	if res.Inserted > 0 {
		fmt.Fprintf(out, "synced %d orders (DT-1001 is overdue and not shipped)\n", res.Inserted)
	}
	return nil
}

// demoSavedReplies are the demo's ready answers, in both languages, so
// the reply box's picker (type "/") has something to offer.
var demoSavedReplies = []struct{ name, shortcut, body, language string }{
	{"Where is my order", "/where", "Hi {{customer.name}}, your order {{order.number}} is {{order.status}}. Tracking number: {{order.tracking_number}}. I'll keep an eye on it for you.\n\n{{agent.name}}, {{workspace.name}}", "en"},
	{"Sorry for the delay", "/sorry", "Hi {{customer.name}}, I'm sorry order {{order.number}} is late. I've asked the warehouse to ship it today and will write again as soon as it leaves.\n\n{{agent.name}}", "en"},
	{"Return instructions", "/return", "Hi {{customer.name}}, you can return anything unused within 14 days. Reply with a photo of the item and we'll send a free return label.", "en"},
	{"查询物流", "/wuliu", "{{customer.name}}您好，您的订单 {{order.number}} 当前状态：{{order.status}}，物流单号 {{order.tracking_number}}。我们会持续跟进。", "zh"},
	{"发货延迟致歉", "/yanchi", "{{customer.name}}您好，很抱歉订单 {{order.number}} 延迟了。我们已经催仓库今天发出，发货后第一时间通知您。", "zh"},
}

// seedSavedReplies adds the demo's saved replies once.
func seedSavedReplies(ctx context.Context, m *Main, out io.Writer) error {
	have, err := m.Helpdesk.FindSavedReplies(ctx, deskpool.Cursor{}, 100)
	if err != nil || len(have) > 0 {
		return err
	}
	for _, r := range demoSavedReplies {
		if _, err := m.Helpdesk.CreateSavedReply(ctx, helpdesk.SavedReplyInput{Name: &r.name, Shortcut: &r.shortcut, Body: &r.body, Language: &r.language}); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "added %d saved replies\n", len(demoSavedReplies))
	return nil
}

// demoPushConnector connects the push connector the demo's orders come
// through, unless a run before connected it: with it, the AI tells a
// customer an order number the shop does not know is not found.
func demoPushConnector(ctx context.Context, m *Main) error {
	list, err := m.Inventory.FindConnectors(ctx, deskpool.Cursor{}, 100)
	if err != nil {
		return err
	}
	for _, c := range list {
		if c.Kind == inventory.KindPush {
			return nil
		}
	}
	_, err = m.Inventory.CreateConnector(ctx, inventory.NewConnector{Kind: inventory.KindPush, Name: "Demo shop (push API)"})
	return err
}

// seedConversations posts the customers' messages, after marking the VIP
// and the vulnerable caller, and makes the phone call breach its first
// response deadline.
func seedConversations(ctx context.Context, m *Main, out io.Writer) error {
	for _, c := range []helpdesk.NewCustomer{
		{Name: "Alice Brown", Email: "alice@example.com", VIP: true},
		{Name: "Mr. Zhou", Phone: "+8613800138000", Vulnerable: true},
	} {
		if _, err := m.Helpdesk.CreateCustomer(ctx, c); err != nil && deskpool.ErrorCode(err) != deskpool.ECONFLICT {
			return err
		}
	}
	breachPolicy, err := startBreachPolicy(ctx, m)
	if err != nil {
		return err
	}
	created := 0
	var call *helpdesk.Ingested
	for _, d := range demoMessages {
		got, err := m.Helpdesk.Ingest(ctx, helpdesk.InboundMessage{Channel: d.channel, Customer: d.customer, Body: d.body,
			OrderRef: d.orderRef, ExternalMessageID: d.id})
		if err != nil {
			return fmt.Errorf("%s: %w", d.id, err)
		}
		if !got.Duplicate {
			created++
			if d.channel == "phone" {
				call = got
			}
		}
	}
	if created > 0 {
		fmt.Fprintf(out, "posted %d customer messages in English and Chinese\n", created)
	}
	if call != nil {
		if err := breach(ctx, m, call.ConversationID); err != nil {
			return err
		}
		fmt.Fprintln(out, "the phone call breached its first-response deadline")
	}
	if breachPolicy != uuid.Nil {
		// The policy keeps the breached call; new phone calls go to the
		// policies before it, as any other message does.
		retired, last := demoBreachPolicy+" (shown once, matches nothing new)", 1000
		_, err := m.SLA.UpdatePolicy(ctx, breachPolicy, sla.PolicyInput{Name: &retired, Priority: &last})
		return err
	}
	return nil
}

// startBreachPolicy gives the workspace its own copies of the built-in
// policies (a workspace's own policies replace the built-in ones) and the
// one-second phone policy; it returns the latter's id, or uuid.Nil when
// the phone call was posted on an earlier run.
func startBreachPolicy(ctx context.Context, m *Main) (uuid.UUID, error) {
	conv, err := m.Helpdesk.FindConversations(ctx, helpdesk.ConversationFilter{Channel: "phone", Limit: 1})
	if err != nil || len(conv) > 0 {
		return uuid.Nil, err
	}
	policies, err := m.SLA.FindPolicies(ctx, deskpool.Cursor{}, 200)
	if err != nil {
		return uuid.Nil, err
	}
	for _, p := range policies {
		if !p.Builtin {
			continue
		}
		if _, err := m.SLA.CreatePolicy(ctx, policyInput(p)); err != nil {
			return uuid.Nil, err
		}
	}
	demo := sla.PolicyDoc{Name: demoBreachPolicy, Priority: 1, Rule: sla.RuleDoc{Channels: []string{"phone"}},
		Targets:    sla.TargetsDoc{FirstResponse: 1, NextResponse: 3600, Resolution: 86400},
		Escalation: []sla.StepDoc{{Metric: sla.MetricFirstResponse, Trigger: sla.TriggerBreach, Action: sla.ActionNotify, To: "owner"}}}
	p, err := m.SLA.CreatePolicy(ctx, policyInput(demo))
	if err != nil {
		return uuid.Nil, err
	}
	return p.ID, nil
}

func policyInput(p sla.PolicyDoc) sla.PolicyInput {
	return sla.PolicyInput{Name: &p.Name, Priority: &p.Priority, Rule: &p.Rule, Targets: &p.Targets,
		WarnAt: &p.WarnAt, Escalation: &p.Escalation}
}

// breach waits for the conversation's first-response deadline and acts on
// it as its timer would.
func breach(ctx context.Context, m *Main, conversationID uuid.UUID) error {
	timers, err := m.SLA.FindTimers(ctx, conversationID)
	if err != nil {
		return err
	}
	for _, t := range timers {
		if t.Metric != sla.MetricFirstResponse || t.DueAt == nil {
			continue
		}
		if wait := time.Until(*t.DueAt); wait > 0 {
			select {
			case <-time.After(wait + 10*time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		_, err := m.SLA.Fire(ctx, conversationID, t.Metric, t.Version, sla.TaskBreach, false)
		return err
	}
	return fmt.Errorf("the phone call has no first-response clock")
}
