package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/internal/scratch"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// benchWorkspace signs up a workspace on m for a benchmark and returns a
// context acting in it.
func benchWorkspace(ctx context.Context, m *Main) (context.Context, error) {
	ws, _, _, err := m.Tenants.Signup(ctx, tenant.SignupInput{
		Email: uuid.NewString() + "@bench.example", Password: "correct horse battery", BrandName: "Bench Brand"})
	if err != nil {
		return nil, err
	}
	return deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: ws.ID}), nil
}

// benchOrders builds batch b of 1,000 pushed orders, two lines and one
// shipment each, over 5,000 recurring customers.
func benchOrders(b int) []inventory.OrderInput {
	out := make([]inventory.OrderInput, inventory.MaxBatch)
	base := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		n := b*inventory.MaxBatch + i
		at := base.Add(time.Duration(n) * time.Second).Format(time.RFC3339)
		c := n % 5000
		out[i] = inventory.OrderInput{ExternalID: fmt.Sprintf("B%07d", n), Number: fmt.Sprintf("#%d", 100000+n), Status: "paid",
			Currency: "CNY", Total: "128.00", CreatedAt: at, UpdatedAt: at,
			Customer: inventory.OrderCustomer{Email: fmt.Sprintf("bench%d@example.com", c), Name: fmt.Sprintf("Buyer %d", c)},
			Lines: []inventory.LineInput{{SKU: fmt.Sprintf("SKU-%03d", n%300), Title: "Oolong tea", Quantity: 1, Price: "88.00"},
				{SKU: fmt.Sprintf("SKU-%03d", (n+7)%300), Title: "Tea cup", Quantity: 2, Price: "20.00"}},
			Shipments: []inventory.ShipmentInput{{TrackingNumber: fmt.Sprintf("SF%010d", n), Carrier: "SF Express", Status: "in_transit", ShippedAt: at}}}
	}
	return out
}

// benchPush measures the push API's order upsert (validation, the
// tenant transaction, orders with their lines and shipments, customer
// lookup) in batches of 1,000, then COPYs the same rows into plain scratch
// tables of the same columns in the same database, and writes both rates.
func benchPush(ctx context.Context, out io.Writer, m *Main, env *scratch.Env, batchCount int) error {
	svc := m.Inventory
	tctx, err := benchWorkspace(ctx, m)
	if err != nil {
		return err
	}
	batches := make([][]inventory.OrderInput, batchCount)
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
	items := batchCount * inventory.MaxBatch
	copied, err := copyBaseline(ctx, env.OwnerDSN, batches)
	if err != nil {
		return err
	}
	pushRate, copyRate := float64(items)/push.Seconds(), float64(items)/copied.Seconds()
	fmt.Fprintf(out, "push API upsert: %d orders (2 lines, 1 shipment each) in batches of %d: %v, %.0f orders/s\n",
		items, inventory.MaxBatch, push.Round(time.Millisecond), pushRate)
	fmt.Fprintf(out, "plain COPY of the same rows into scratch tables: %v, %.0f orders/s\n", copied.Round(time.Millisecond), copyRate)
	fmt.Fprintf(out, "push / COPY: %.1f%% (target 25%% or more)\n", 100*pushRate/copyRate)
	start, linked := time.Now(), 0
	for {
		n, err := svc.LinkPending(tctx, 1000)
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
func copyBaseline(ctx context.Context, ownerDSN string, batches [][]inventory.OrderInput) (time.Duration, error) {
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
			orders = append(orders, []any{tenantID, id, inventory.SourcePush, in.ExternalID, in.Number, in.Customer.Email, in.Customer.Name,
				"pending", in.Status, in.Currency, int64(12800), at, at})
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
