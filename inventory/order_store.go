package inventory

import (
	"context"
	"encoding/json"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// UpsertResult counts what a batch upsert did.
type UpsertResult struct {
	Received int `json:"received"` // items in the batch
	Written  int `json:"written"`  // inserted or replaced by a newer version
	Inserted int `json:"inserted"` // of which new
	Stale    int `json:"stale"`    // not newer than what is stored: left alone
}

// orderRow is the JSON form of an order row fed to jsonb_to_recordset.
type orderRow struct {
	ExternalID         string        `json:"external_id"`
	Number             string        `json:"number"`
	CustomerID         *uuid.UUID    `json:"customer_id"`
	CustomerEmail      string        `json:"customer_email"`
	CustomerPhone      string        `json:"customer_phone"`
	CustomerExternalID string        `json:"customer_external_id"`
	CustomerName       string        `json:"customer_name"`
	LinkState          string        `json:"link_state"`
	Status             string        `json:"status"`
	FinancialStatus    string        `json:"financial_status"`
	FulfillmentStatus  string        `json:"fulfillment_status"`
	Currency           string        `json:"currency"`
	TotalMinor         int64         `json:"total_minor"`
	PromisedShipBy     *time.Time    `json:"promised_ship_by"`
	ShippingAddress    *shop.Address `json:"shipping_address"`
	CreatedAt          time.Time     `json:"created_at"`
	UpdatedAt          time.Time     `json:"updated_at"`
}

const upsertOrdersSQL = `INSERT INTO orders (tenant_id, id, source, external_id, number, customer_id, customer_email,
	customer_phone, customer_external_id, customer_name, link_state, status, financial_status, fulfillment_status,
	currency, total_minor, promised_ship_by, shipping_address, created_at, updated_at)
SELECT @t, gen_random_uuid(), @src, x.external_id, x.number, x.customer_id, x.customer_email, x.customer_phone,
	x.customer_external_id, x.customer_name, x.link_state, x.status, x.financial_status, x.fulfillment_status,
	x.currency, x.total_minor, x.promised_ship_by, x.shipping_address, x.created_at, x.updated_at
FROM jsonb_to_recordset(CAST(@rows AS jsonb)) AS x(external_id text, number text, customer_id uuid, customer_email text,
	customer_phone text, customer_external_id text, customer_name text, link_state text, status text,
	financial_status text, fulfillment_status text, currency text, total_minor bigint, promised_ship_by timestamptz,
	shipping_address jsonb, created_at timestamptz, updated_at timestamptz)
ON CONFLICT (tenant_id, source, external_id) DO UPDATE SET number = excluded.number,
	customer_id = CASE WHEN orders.erased_at IS NULL THEN COALESCE(excluded.customer_id, orders.customer_id) ELSE orders.customer_id END,
	customer_email = CASE WHEN orders.erased_at IS NULL THEN excluded.customer_email ELSE '' END,
	customer_phone = CASE WHEN orders.erased_at IS NULL THEN excluded.customer_phone ELSE '' END,
	customer_external_id = CASE WHEN orders.erased_at IS NULL THEN excluded.customer_external_id ELSE '' END,
	customer_name = CASE WHEN orders.erased_at IS NULL THEN excluded.customer_name ELSE '' END,
	link_state = CASE WHEN orders.erased_at IS NOT NULL THEN 'none'
		WHEN excluded.link_state = 'none' AND orders.customer_id IS NOT NULL THEN 'linked' ELSE excluded.link_state END,
	status = excluded.status, financial_status = excluded.financial_status,
	fulfillment_status = excluded.fulfillment_status, currency = excluded.currency, total_minor = excluded.total_minor,
	promised_ship_by = excluded.promised_ship_by,
	shipping_address = CASE WHEN orders.erased_at IS NULL THEN excluded.shipping_address END,
	created_at = excluded.created_at, updated_at = excluded.updated_at, synced_at = now()
WHERE orders.updated_at < excluded.updated_at
RETURNING id, external_id, (xmax = 0) AS inserted`

// newest keeps, of items sharing a key, the one with the latest time, in
// first-seen order: a batch may carry one order twice, and the later
// version wins as it would across batches.
func newest[T any](items []T, key func(*T) string, at func(*T) time.Time) []T {
	pos := make(map[string]int, len(items))
	out := make([]T, 0, len(items))
	for i := range items {
		k := key(&items[i])
		if j, ok := pos[k]; ok {
			if at(&items[i]).After(at(&out[j])) {
				out[j] = items[i]
			}
			continue
		}
		pos[k] = len(out)
		out = append(out, items[i])
	}
	return out
}

// storeOrders upserts validated orders of one source inside tx, with
// their lines and shipments: an order whose updated_at is not newer than
// the stored one is left alone. Customers already known by the orders'
// identities are linked at once; the rest are left to the linking task.
func (s *Service) storeOrders(ctx context.Context, tx *gorm.DB, source string, orders []shop.Order) (UpsertResult, error) {
	res := UpsertResult{Received: len(orders)}
	if len(orders) == 0 {
		return res, nil
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	orders = newest(orders, func(o *shop.Order) string { return o.ExternalID }, func(o *shop.Order) time.Time { return o.UpdatedAt })
	region, err := tenant.WorkspaceCountry(tx, tenantID)
	if err != nil {
		return res, err
	}
	// A shop's phone that is no valid number is dropped, not the order
	// (pushed and imported orders were refused for it already).
	for i := range orders {
		if p := orders[i].CustomerPhone; p != "" {
			if _, ok := helpdesk.NormalizePhone(p, region); !ok {
				orders[i].CustomerPhone = ""
			}
		}
	}
	links, err := knownCustomers(tx, tenantID, source, region, orders)
	if err != nil {
		return res, err
	}
	rows := make([]orderRow, len(orders))
	for i := range orders {
		o := &orders[i]
		lk := links[i]
		rows[i] = orderRow{ExternalID: o.ExternalID, Number: o.Number, CustomerID: lk.id, CustomerEmail: o.CustomerEmail,
			CustomerPhone: o.CustomerPhone, CustomerExternalID: o.CustomerExternalID, CustomerName: o.CustomerName,
			LinkState: lk.state, Status: o.Status, FinancialStatus: o.FinancialStatus, FulfillmentStatus: o.FulfillmentStatus,
			Currency: o.Currency, TotalMinor: o.TotalMinor, PromisedShipBy: o.PromisedShipBy,
			ShippingAddress: o.ShippingAddress, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	}
	raw, err := json.Marshal(rows)
	if err != nil {
		return res, err
	}
	var written []struct {
		ID         uuid.UUID
		ExternalID string
		Inserted   bool
	}
	if err := tx.Raw(upsertOrdersSQL, map[string]any{"t": tenantID, "src": source, "rows": string(raw)}).Scan(&written).Error; err != nil {
		return res, err
	}
	res.Written, res.Stale = len(written), len(orders)-len(written)
	if len(written) == 0 {
		return res, nil
	}
	byExt := make(map[string]int, len(orders))
	for i := range orders {
		byExt[orders[i].ExternalID] = i
	}
	var replaced pq.StringArray
	var lines []lineRow
	var ships []shipRow
	var pending []string
	var customers []uuid.UUID
	for _, w := range written {
		if w.Inserted {
			res.Inserted++
		} else {
			replaced = append(replaced, w.ID.String())
		}
		i := byExt[w.ExternalID]
		if links[i].id != nil {
			customers = append(customers, *links[i].id)
		}
		if links[i].state == linkPending {
			pending = append(pending, w.ID.String())
		}
		lines = appendLines(lines, w.ID, &orders[i])
		ships = appendShipments(ships, w.ID, &orders[i])
	}
	if len(replaced) > 0 {
		if err := tx.Exec(`DELETE FROM order_lines WHERE tenant_id = ? AND order_id = ANY(?::uuid[])`, tenantID, replaced).Error; err != nil {
			return res, err
		}
	}
	if err := insertLines(tx, tenantID, lines); err != nil {
		return res, err
	}
	if err := upsertShipments(tx, tenantID, replaced, ships); err != nil {
		return res, err
	}
	if err := s.ordersChanged(ctx, tx, customers); err != nil {
		return res, err
	}
	switch {
	case len(pending) == 0:
	case len(pending) <= inlineLinks || s.outbox == nil:
		_, err = s.linkOrders(ctx, tx, pending, len(pending))
	default:
		err = s.requestLink(ctx, tx)
	}
	return res, err
}
