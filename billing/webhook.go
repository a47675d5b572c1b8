package billing

import (
	"context"
	"encoding/json"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76/webhook"
	"gorm.io/gorm"
)

// handledEvents are the Stripe event types billing applies; others are
// stored and ignored.
var handledEvents = map[string]bool{
	"checkout.session.completed":           true,
	"customer.subscription.created":        true,
	"customer.subscription.updated":        true,
	"customer.subscription.deleted":        true,
	"customer.subscription.trial_will_end": true,
	"invoice.paid":                         true,
	"invoice.payment_failed":               true,
}

// eventObject is what routing and applying read of an event's object.
type eventObject struct {
	ID                  string            `json:"id"`
	Object              string            `json:"object"`
	Customer            json.RawMessage   `json:"customer"`
	Subscription        json.RawMessage   `json:"subscription"`
	ClientReferenceID   string            `json:"client_reference_id"`
	Metadata            map[string]string `json:"metadata"`
	SubscriptionDetails *struct {
		Metadata map[string]string `json:"metadata"`
	} `json:"subscription_details"`
}

// idOf reads an id that Stripe sends as a string or as an expanded object.
func idOf(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &o)
	return o.ID
}

// Receipt says what became of a received event.
type Receipt struct {
	EventID   string `json:"event_id"`
	Type      string `json:"type"`
	Duplicate bool   `json:"duplicate"` // already received: nothing changed
	Ignored   bool   `json:"ignored"`   // stored, but not a type billing acts on, or for no workspace of ours
}

// Receive verifies a Stripe webhook delivery against the endpoint secret
// (signature and timestamp tolerance), stores the raw event for its
// workspace (once per event id) and, for the types billing handles, adds
// the task that applies it, all in one transaction: once Receive returns,
// the event will be applied even if the process dies.
func (s *Service) Receive(ctx context.Context, payload []byte, signature string) (Receipt, error) {
	if s.cfg.WebhookSecret == "" {
		return Receipt{}, deskpool.Errorf(deskpool.EUNAVAILABLE, "Stripe webhooks are not configured on this server.")
	}
	if signature == "" {
		return Receipt{}, deskpool.Errorf(deskpool.EBADREQUEST, "The Stripe-Signature header is missing.")
	}
	ev, err := webhook.ConstructEventWithOptions(payload, signature, s.cfg.WebhookSecret,
		webhook.ConstructEventOptions{Tolerance: s.cfg.WebhookTolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		return Receipt{}, deskpool.Errorf(deskpool.EBADREQUEST, "The Stripe-Signature header does not verify this body: %s.", err.Error())
	}
	if ev.ID == "" || ev.Data == nil {
		return Receipt{}, deskpool.Errorf(deskpool.EBADREQUEST, "The body is not a Stripe event.")
	}
	r := Receipt{EventID: ev.ID, Type: string(ev.Type), Ignored: !handledEvents[string(ev.Type)]}
	var obj eventObject
	_ = json.Unmarshal(ev.Data.Raw, &obj)
	tenantID, err := s.route(ctx, obj)
	if err != nil {
		return r, err
	}
	if tenantID == uuid.Nil {
		r.Ignored = true
		err := postgres.System(ctx, s.sysdb, "billing:unrouted-event", func(ctx context.Context, tx *gorm.DB) error {
			res := tx.Exec(`INSERT INTO billing_unrouted_events (id, type, payload) VALUES (?, ?, ?::jsonb) ON CONFLICT (id) DO NOTHING`,
				ev.ID, string(ev.Type), string(payload))
			r.Duplicate = res.Error == nil && res.RowsAffected == 0
			return res.Error
		})
		return r, err
	}
	ctx = tenantCtx(ctx, tenantID)
	err = postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		outcome, applied := "", "NULL"
		if r.Ignored {
			outcome, applied = "ignored", "now()"
		}
		res := tx.Exec(`INSERT INTO billing_events (tenant_id, id, type, payload, applied_at, outcome)
			VALUES (?, ?, ?, ?::jsonb, `+applied+`, ?) ON CONFLICT (tenant_id, id) DO NOTHING`,
			tenantID, ev.ID, string(ev.Type), string(payload), outcome)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			r.Duplicate = true
			return nil
		}
		if r.Ignored {
			return nil
		}
		return s.outbox.Add(ctx, tx, jobs.Task{ID: uuid.NewSHA1(tenantID, []byte("billing:apply:"+ev.ID)), Type: TaskApply,
			Payload: ApplyPayload{TenantID: tenantID, EventID: ev.ID}})
	})
	return r, err
}

// route finds the workspace an event is for: the one whose Stripe
// customer it names, else the workspace id billing put in the metadata
// (or as Checkout's client reference). uuid.Nil: none of ours.
func (s *Service) route(ctx context.Context, obj eventObject) (uuid.UUID, error) {
	customer := idOf(obj.Customer)
	if obj.Object == "customer" {
		customer = obj.ID
	}
	if customer != "" {
		var ids []uuid.UUID
		err := postgres.System(ctx, s.sysdb, "billing:route-event", func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT tenant_id FROM billing_accounts WHERE stripe_customer_id = ? LIMIT 2`, customer).Scan(&ids).Error
		})
		if err != nil {
			return uuid.Nil, err
		}
		if len(ids) == 1 {
			return ids[0], nil
		}
	}
	candidates := []string{obj.Metadata["workspace_id"], obj.ClientReferenceID}
	if obj.SubscriptionDetails != nil {
		candidates = append(candidates, obj.SubscriptionDetails.Metadata["workspace_id"])
	}
	for _, c := range candidates {
		id, err := uuid.Parse(c)
		if err != nil {
			continue
		}
		var n int64
		if err := s.db.WithContext(ctx).Raw(`SELECT count(*) FROM tenants WHERE id = ?`, id).Scan(&n).Error; err != nil {
			return uuid.Nil, err
		}
		if n == 1 {
			return id, nil
		}
	}
	return uuid.Nil, nil
}
