package inventory

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// BenchConfig says where a benchmark runs: a scratch database reached as
// the application role (App) and as the table owner (OwnerDSN, used by the
// push benchmark's COPY baseline for its scratch tables). Outbox may be nil:
// tasks then stay in the outbox table.
type BenchConfig struct {
	App      *gorm.DB
	OwnerDSN string
	Outbox   *jobs.Outbox
	Batches  int // push: batches of 1,000 orders; 20 by default
	Orders   int // backfill: orders in the shop; 100,000 by default
}

// benchService wires a service for a benchmark with a fresh workspace.
func benchService(cfg BenchConfig) (*Service, context.Context, error) {
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(map[string][]byte{"bench": key}, "bench")
	if err != nil {
		return nil, nil, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	outbox := cfg.Outbox
	if outbox == nil {
		dead := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 50 * time.Millisecond})
		outbox = jobs.NewOutbox(dead, cfg.App, quiet)
	}
	hd := helpdesk.NewService(cfg.App, nopEmitter{}, outbox, nil, helpdesk.DefaultConfig())
	c := DefaultConfig()
	c.AllowHTTP, c.AllowPrivate = true, true // the shop server is local
	svc := NewService(cfg.App, outbox, box, hd, c, quiet)
	ws, _, _, err := tenant.NewService(cfg.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@bench.example", Password: "correct horse battery", BrandName: "Bench Brand"})
	if err != nil {
		return nil, nil, err
	}
	return svc, deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID}), nil
}

// nopEmitter drops events: benchmarks have no webhook subscribers.
type nopEmitter struct{}

func (nopEmitter) Emit(context.Context, *gorm.DB, string, any) error { return nil }

// benchOrders builds batch b of 1,000 pushed orders, two lines and one
// shipment each, over 5,000 recurring customers.
func benchOrders(b int) []OrderInput {
	out := make([]OrderInput, MaxBatch)
	base := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		n := b*MaxBatch + i
		at := base.Add(time.Duration(n) * time.Second).Format(time.RFC3339)
		c := n % 5000
		out[i] = OrderInput{ExternalID: fmt.Sprintf("B%07d", n), Number: fmt.Sprintf("#%d", 100000+n), Status: "paid",
			Currency: "CNY", Total: "128.00", CreatedAt: at, UpdatedAt: at,
			Customer: OrderCustomer{Email: fmt.Sprintf("bench%d@example.com", c), Name: fmt.Sprintf("Buyer %d", c)},
			Lines: []LineInput{{SKU: fmt.Sprintf("SKU-%03d", n%300), Title: "Oolong tea", Quantity: 1, Price: "88.00"},
				{SKU: fmt.Sprintf("SKU-%03d", (n+7)%300), Title: "Tea cup", Quantity: 2, Price: "20.00"}},
			Shipments: []ShipmentInput{{TrackingNumber: fmt.Sprintf("SF%010d", n), Carrier: "SF Express", Status: "in_transit", ShippedAt: at}}}
	}
	return out
}

// RunPushBench measures the push API's order upsert (validation, the
// tenant transaction, orders with their lines and shipments, customer
// lookup) in batches of 1,000, then COPYs the same rows into plain scratch
// tables of the same columns in the same database, and writes both rates.
func RunPushBench(ctx context.Context, out io.Writer, cfg BenchConfig) error {
	if cfg.Batches <= 0 {
		cfg.Batches = 20
	}
	svc, tctx, err := benchService(cfg)
	if err != nil {
		return err
	}
	batches := make([][]OrderInput, cfg.Batches)
	for b := range batches {
		batches[b] = benchOrders(b)
	}
	start := time.Now()
	for _, batch := range batches {
		if _, err := svc.PushOrders(tctx, batch); err != nil {
			return err
		}
	}
	push := time.Since(start)
	items := cfg.Batches * MaxBatch
	copied, err := copyBaseline(ctx, cfg.OwnerDSN, batches)
	if err != nil {
		return err
	}
	pushRate, copyRate := float64(items)/push.Seconds(), float64(items)/copied.Seconds()
	fmt.Fprintf(out, "push API upsert: %d orders (2 lines, 1 shipment each) in batches of %d: %v, %.0f orders/s\n",
		items, MaxBatch, push.Round(time.Millisecond), pushRate)
	fmt.Fprintf(out, "plain COPY of the same rows into scratch tables: %v, %.0f orders/s\n", copied.Round(time.Millisecond), copyRate)
	fmt.Fprintf(out, "push / COPY: %.1f%% (target 25%% or more)\n", 100*pushRate/copyRate)
	start, linked := time.Now(), 0
	for {
		n, err := svc.LinkPending(tctx, 5*linkBatch)
		if err != nil {
			return err
		}
		if linked += n; n == 0 {
			break
		}
	}
	fmt.Fprintf(out, "deferred customer linking (the background task's work, 5,000 customers): %d orders in %v\n",
		linked, time.Since(start).Round(time.Millisecond))
	return nil
}

// copyBaseline COPYs the batches' orders, lines and shipments into
// index-less scratch tables shaped like the real ones, one COPY per table
// per batch, and drops them.
func copyBaseline(ctx context.Context, ownerDSN string, batches [][]OrderInput) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, ownerDSN)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.Background())
	for _, t := range []string{"orders", "order_lines", "shipments"} {
		if _, err := conn.Exec(ctx, `CREATE TABLE bench_copy_`+t+` (LIKE `+t+` INCLUDING DEFAULTS)`); err != nil {
			return 0, err
		}
		defer conn.Exec(context.Background(), `DROP TABLE IF EXISTS bench_copy_`+t)
	}
	tenantID := deskpool.NewID()
	start := time.Now()
	for _, batch := range batches {
		var orders, lines, ships [][]any
		for _, in := range batch {
			id := deskpool.NewID()
			at, _ := time.Parse(time.RFC3339, in.UpdatedAt)
			orders = append(orders, []any{tenantID, id, SourcePush, in.ExternalID, in.Number, in.Customer.Email, in.Customer.Name,
				linkPending, in.Status, in.Currency, int64(12800), at, at})
			for k, l := range in.Lines {
				lines = append(lines, []any{tenantID, id, k, l.SKU, l.Title, l.Quantity, int64(8800)})
			}
			for _, s := range in.Shipments {
				ships = append(ships, []any{tenantID, deskpool.NewID(), id, s.TrackingNumber, s.Carrier, s.TrackingNumber, s.Status, at})
			}
		}
		for _, c := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"orders", []string{"tenant_id", "id", "source", "external_id", "number", "customer_email", "customer_name",
				"link_state", "status", "currency", "total_minor", "created_at", "updated_at"}, orders},
			{"order_lines", []string{"tenant_id", "order_id", "position", "sku", "title", "quantity", "price_minor"}, lines},
			{"shipments", []string{"tenant_id", "id", "order_id", "external_id", "carrier", "tracking_number", "status", "shipped_at"}, ships},
		} {
			if _, err := conn.CopyFrom(ctx, pgx.Identifier{"bench_copy_" + c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
				return 0, err
			}
		}
	}
	return time.Since(start), nil
}
