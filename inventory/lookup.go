package inventory

import (
	"context"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// recentOrders is how many of a customer's latest orders a conversation
// shows.
const recentOrders = 5

// OrdersFor returns the orders linked to a conversation inside the
// caller's transaction: the customer's latest orders (including those of
// customers merged into it) and any order its messages named by number or
// external id ("#1001" and "1001" alike), each with lines and shipments. It
// implements helpdesk.OrderLookup.
func (s *Service) OrdersFor(ctx context.Context, tx *gorm.DB, customerID uuid.UUID, refs []string) (any, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	list, err := scanOrders(tx.Table("orders").Select(orderColumns).
		Where("tenant_id = ? AND customer_id IN (SELECT id FROM customers WHERE tenant_id = ? AND (id = ? OR merged_into = ?))",
			tenantID, tenantID, customerID, customerID).
		Order("created_at DESC, id DESC").Limit(recentOrders))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range refs {
		if r = strings.TrimSpace(r); r != "" && len(names) < 20 {
			names = append(names, r, strings.TrimPrefix(r, "#"), "#"+strings.TrimPrefix(r, "#"))
		}
	}
	if len(names) > 0 {
		named, err := scanOrders(tx.Table("orders").Select(orderColumns).
			Where("tenant_id = ? AND (number IN ? OR external_id IN ?)", tenantID, names, names).
			Order("created_at DESC, id DESC").Limit(10))
		if err != nil {
			return nil, err
		}
		seen := map[uuid.UUID]bool{}
		for _, o := range list {
			seen[o.ID] = true
		}
		for _, o := range named {
			if !seen[o.ID] {
				seen[o.ID] = true
				list = append(list, o)
			}
		}
	}
	if err := fillOrders(tx, tenantID, list); err != nil {
		return nil, err
	}
	return list, nil
}
