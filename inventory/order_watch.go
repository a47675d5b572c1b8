package inventory

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// OrderWatcher is told, inside the transaction that stored them, which
// customers' orders were added or changed (segments scores them again).
type OrderWatcher interface {
	OrdersChanged(ctx context.Context, tx *gorm.DB, customerIDs []uuid.UUID) error
}

// WatchOrders adds w to those told of changed orders.
func (s *Service) WatchOrders(w OrderWatcher) { s.watchers = append(s.watchers, w) }

// ordersChanged tells the watchers of the customers of changed orders.
func (s *Service) ordersChanged(ctx context.Context, tx *gorm.DB, customerIDs []uuid.UUID) error {
	if len(customerIDs) == 0 {
		return nil
	}
	for _, w := range s.watchers {
		if err := w.OrdersChanged(ctx, tx, customerIDs); err != nil {
			return err
		}
	}
	return nil
}
