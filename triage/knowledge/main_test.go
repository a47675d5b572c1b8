package knowledge_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/knowledge"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// env is this package's database and Redis database.
var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Run(m, "knowledge", &env)) }

type nopEmitter struct{}

func (nopEmitter) Emit(context.Context, *gorm.DB, string, any) error { return nil }

// shop is a workspace with the helpdesk answering through the knowledge service.
type shop struct {
	t   *testing.T
	ctx context.Context
	hd  *helpdesk.Service
	kn  *knowledge.Service
}

func newShop(t *testing.T) *shop {
	t.Helper()
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Knowledge Brand"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := knowledge.DefaultConfig()
	cfg.ShareCacheTTL = 0
	kn := knowledge.NewService(env.App, cfg)
	hd := helpdesk.NewService(env.App, nopEmitter{}, nil, helpdesk.BuiltinTriager(triage.Default()), helpdesk.DefaultConfig())
	hd.UseAnswerer(kn)
	s := &shop{t: t, ctx: deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID}), hd: hd, kn: kn}
	s.connector("push", "active", true, false) // the orders the tests store are pushed
	return s
}

// bareShop is a workspace like newShop's with no shop connected.
func bareShop(t *testing.T) *shop {
	t.Helper()
	s := newShop(t)
	s.exec(`DELETE FROM connectors WHERE tenant_id = ?`, s.tenant())
	return s
}

// connector connects a source of orders of kind in status; synced marks
// its first full sync done, failing marks it failing since an hour ago.
func (s *shop) connector(kind, status string, synced, failing bool) {
	s.t.Helper()
	s.exec(`INSERT INTO connectors (tenant_id, id, kind, name, status, backfilled_at, last_sync_at, failing_since)
		VALUES (?, ?, ?, ?, ?, CASE WHEN ? THEN now() - interval '1 day' END, CASE WHEN ? THEN now() - interval '1 hour' END,
			CASE WHEN ? THEN now() - interval '1 hour' END)`,
		s.tenant(), uuid.New(), kind, kind+" shop", status, synced, synced, failing)
}

// say ingests a customer's message on the web channel.
func (s *shop) say(customer, body string) *helpdesk.Ingested {
	s.t.Helper()
	out, err := s.hd.Ingest(s.ctx, helpdesk.InboundMessage{Channel: "web", Body: body,
		Customer: helpdesk.CustomerRef{ExternalID: customer, Name: "Ann Lee"}})
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// sold makes the order numbered number the customer's (known by their
// web channel id), as the shop's sync links an order to its buyer: the AI
// tells a customer only of their own orders.
func (s *shop) sold(number, customer string) {
	s.t.Helper()
	c, err := s.hd.CreateCustomer(s.ctx, helpdesk.NewCustomer{Name: "Ann Lee",
		ExternalIDs: []helpdesk.ExternalID{{Channel: "web", ID: customer}}})
	if err != nil {
		s.t.Fatal(err)
	}
	s.exec(`UPDATE orders SET customer_id = ? WHERE tenant_id = ? AND number = ?`, c.ID, s.tenant(), "#"+number)
}

// exec runs SQL in the workspace's transaction.
func (s *shop) exec(sql string, args ...any) {
	s.t.Helper()
	err := postgres.Tx(s.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error { return tx.Exec(sql, args...).Error })
	if err != nil {
		s.t.Fatal(err)
	}
}

// order stores an order with a shipment shipped to country, its tracking
// last moving a day ago; delivered, when set, marks the shipment delivered
// then. An order not shipped promises to ship tomorrow.
func (s *shop) order(number, status, country string, shipped bool, delivered *time.Time) {
	s.t.Helper()
	news := time.Now().Add(-24 * time.Hour)
	if delivered != nil {
		news = *delivered
	}
	s.orderAt(number, status, country, shipped, delivered, time.Now().Add(24*time.Hour), news)
}

// orderAt stores an order like order, promised to ship by promised, its
// shipment's tracking last moving at news.
func (s *shop) orderAt(number, status, country string, shipped bool, delivered *time.Time, promised, news time.Time) {
	s.t.Helper()
	id := uuid.New()
	s.exec(`INSERT INTO orders (tenant_id, id, source, external_id, number, status, currency, total_minor, shipping_address, promised_ship_by, created_at, updated_at)
		VALUES (?, ?, 'push', ?, ?, ?, 'CNY', 9900, ?, ?, now() - interval '12 days', now())`,
		deskpool.TenantIDFromContext(s.ctx), id, number, "#"+number, status, `{"country":"`+country+`"}`, promised)
	if !shipped {
		return
	}
	shipStatus, eta := "in_transit", time.Date(2030, 5, 6, 0, 0, 0, 0, time.UTC)
	if delivered != nil {
		shipStatus = "delivered"
	}
	s.exec(`INSERT INTO shipments (tenant_id, id, order_id, external_id, carrier, tracking_number, status, shipped_at, estimated_delivery, last_event_at)
		VALUES (?, ?, ?, 's1', 'SF Express', 'SF1234567890', ?, now() - interval '10 days', ?, ?)`,
		deskpool.TenantIDFromContext(s.ctx), uuid.New(), id, shipStatus, eta, news)
}

// conversation returns the stored urgency, route and facts of a conversation.
func (s *shop) conversation(convID uuid.UUID) (urgency, route string, facts map[string]any) {
	s.t.Helper()
	var row struct {
		Urgency, Route string
		Facts          []byte
	}
	if err := postgres.Tx(s.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT COALESCE(urgency, '') AS urgency, COALESCE(route, '') AS route, facts FROM conversations WHERE tenant_id = ? AND id = ?`,
			deskpool.TenantIDFromContext(ctx), convID).Scan(&row).Error
	}); err != nil {
		s.t.Fatal(err)
	}
	facts = map[string]any{}
	if err := json.Unmarshal(row.Facts, &facts); err != nil {
		s.t.Fatal(err)
	}
	return row.Urgency, row.Route, facts
}

// handOver returns the reason of the conversation's last hand-over event.
func (s *shop) handOver(convID uuid.UUID) string {
	var reason string
	_ = postgres.Tx(s.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT COALESCE(data->>'reason', '') FROM conversation_events WHERE tenant_id = ? AND conversation_id = ?
			AND kind = 'handed_over' ORDER BY created_at DESC LIMIT 1`, deskpool.TenantIDFromContext(ctx), convID).Scan(&reason).Error
	})
	return reason
}

func (s *shop) tenant() any { return deskpool.TenantIDFromContext(s.ctx) }
