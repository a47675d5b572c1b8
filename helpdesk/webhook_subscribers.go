package helpdesk

import (
	"context"
	"fmt"
	"slices"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Subscribers returns the enabled subscriptions of the workspace in ctx
// to eventType, those to EventAll included. With the workspace cache (UseWorkspaceCache) they come
// from the workspace's facts, read in tx and cached when they are not,
// and dropped with every change of a subscription: an event nobody
// listens to then costs no round trip. A caller that would build a costly
// payload asks first, and hands the answer to EmitTo.
func (w *Webhooks) Subscribers(ctx context.Context, tx *gorm.DB, eventType string) ([]uuid.UUID, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	if w.facts == nil {
		var hooks []uuid.UUID
		if err := tx.Raw(`SELECT id FROM webhooks WHERE tenant_id = ? AND enabled AND events && ARRAY[?, ?]::text[]`,
			tenantID, eventType, EventAll).Scan(&hooks).Error; err != nil {
			return nil, fmt.Errorf("webhook subscriptions for %s: %w", eventType, err)
		}
		return hooks, nil
	}
	f, epoch, ok := w.facts.Get(tenantID)
	if !ok {
		if err := postgres.Batch(ctx, tx, factsQuery(tenantID, &f)); err != nil {
			return nil, fmt.Errorf("webhook subscriptions for %s: %w", eventType, err)
		}
		w.facts.Put(ctx, epoch, tenantID, f)
	}
	return f.subscribers(eventType), nil
}

// subscribesTo reports whether a subscription to events receives
// eventType: it names it, or it is a subscription to EventAll. Subscribers
// asks PostgreSQL the same (events && ARRAY[eventType, '*']).
func subscribesTo(events []string, eventType string) bool {
	return slices.Contains(events, eventType) || slices.Contains(events, EventAll)
}
