package billing

import (
	"context"
	"errors"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"
)

// DropPoolItemPayload names the alliance-pool subscription item whose
// pending usage is reported, and which is removed when Delete is set.
type DropPoolItemPayload struct {
	TenantID uuid.UUID `json:"tenant_id"`
	Item     string    `json:"item"`
	Delete   bool      `json:"delete"`
}

// dropAfterRenewal is how long after the period's end the pool item is
// removed: Stripe has invoiced the period's usage by then, and only the
// new period's (none: nothing is reported on the item any more) is
// cleared with it.
const dropAfterRenewal = time.Hour

// dropPoolItemOfPlan handles a subscription (its state in the locked
// account a, the end of its current period) that carries the alliance-pool
// item on a plan without alliance overflow, as after a downgrade in the
// Billing Portal: the account stops reporting pool usage on it, and two
// tasks (through the outbox, in tx) report the pool usage still pending on
// it at once, and remove it from the subscription after the period's
// renewal. Stripe deletes a metered item only with its usage cleared
// (clear_usage), so deleting it at once would unbill the period's pool
// usage. A subscription that ended keeps its items: Stripe closes it.
func (s *Service) dropPoolItemOfPlan(ctx context.Context, tx *gorm.DB, a *Account, status string, periodEnd *time.Time) error {
	if a.PoolItemID == nil || status == StatusCanceled || s.catalog.Plan(a.Plan).Entitlements.AllianceOverflow {
		return nil
	}
	item := *a.PoolItemID
	a.PoolItemID = nil
	if err := s.outbox.Add(ctx, tx, jobs.Task{ID: uuid.NewSHA1(a.TenantID, []byte(TaskDropPoolItem+":"+item)), Type: TaskDropPoolItem,
		Payload: DropPoolItemPayload{TenantID: a.TenantID, Item: item}, Queue: jobs.QueueDefault}); err != nil {
		return err
	}
	at := s.now()
	if periodEnd != nil && periodEnd.Add(dropAfterRenewal).After(at) {
		at = periodEnd.Add(dropAfterRenewal)
	}
	return s.outbox.Add(ctx, tx, jobs.Task{ID: uuid.NewSHA1(a.TenantID, []byte(TaskDropPoolItem+":delete:"+item)), Type: TaskDropPoolItem,
		Payload: DropPoolItemPayload{TenantID: a.TenantID, Item: item, Delete: true}, Queue: jobs.QueueDefault, ProcessAt: at})
}

// DropPoolItem reports the alliance-pool usage of the workspace in ctx
// that Stripe has not been told of, the current hour's too, on item, and
// with del then deletes item from its subscription, clearing its usage
// (Stripe's condition for deleting a metered item; after the renewal only
// the new period's, which is none). Both steps are idempotent: a retry
// sends nothing twice, and an item already gone counts as removed.
func (s *Service) DropPoolItem(ctx context.Context, item string, del bool) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	var due []bucketDue
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) (err error) {
		due, err = dueBuckets(ctx, tx, bucketOf(s.now()).Add(time.Hour), "", MeterAlliancePool)
		return err
	})
	if err != nil {
		return err
	}
	for _, d := range due {
		if err := s.sendUsage(ctx, tenantID.String(), item, d); err != nil {
			return err
		}
	}
	if !del {
		return nil
	}
	params := &stripe.SubscriptionItemParams{ClearUsage: stripe.Bool(true)}
	params.Context = ctx
	params.SetIdempotencyKey("deskpool-drop-pool-item-" + item)
	if _, err := s.stripe.SubscriptionItems.Del(item, params); err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && se.HTTPStatusCode == 404 {
			return nil // removed already
		}
		return stripeError(err)
	}
	return nil
}
