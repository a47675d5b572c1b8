package alliance

import (
	"context"
	"encoding/json"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// PoolScenario is one of the brand's knowledge scenarios for the
// conversation's intent: how the brand answers it.
type PoolScenario struct {
	Name    string          `json:"name"`
	Intent  string          `json:"intent"`
	Replies json.RawMessage `json:"replies"`
	Collect []string        `json:"collect"`
}

// PoolOrder is one of the customer's orders as a pool agent sees it: the
// facts needed to answer, the shipping address reduced to its city, and no
// contact data.
type PoolOrder struct {
	Number            string     `json:"number"`
	Status            string     `json:"status"`
	FinancialStatus   string     `json:"financial_status"`
	FulfillmentStatus string     `json:"fulfillment_status"`
	Currency          string     `json:"currency"`
	TotalMinor        int64      `json:"total_minor"`
	PromisedShipBy    *time.Time `json:"promised_ship_by"`
	City              string     `json:"city"`
	Carrier           string     `json:"carrier"`
	TrackingNumber    string     `json:"tracking_number"`
	ShipmentStatus    string     `json:"shipment_status"`
	EstimatedDelivery *time.Time `json:"estimated_delivery"`
	CreatedAt         time.Time  `json:"created_at"`
}

// answerFacts reads, in the brand's transaction tx, its enabled knowledge
// scenarios for the intent and the conversation id's customer's latest
// orders, masked.
func answerFacts(ctx context.Context, tx *gorm.DB, id uuid.UUID, intent string) ([]PoolScenario, []PoolOrder, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	var rows []struct {
		Name    string
		Intent  string
		Replies string
		Collect string
	}
	if err := tx.Raw(`SELECT name, intent, replies::text AS replies, array_to_json(collect)::text AS collect FROM knowledge_scenarios
		WHERE tenant_id = ? AND enabled AND intent = ? ORDER BY priority DESC, name LIMIT 10`, tenantID, intent).Scan(&rows).Error; err != nil {
		return nil, nil, err
	}
	scenarios := []PoolScenario{}
	for _, r := range rows {
		sc := PoolScenario{Name: r.Name, Intent: r.Intent, Replies: json.RawMessage(r.Replies), Collect: []string{}}
		_ = json.Unmarshal([]byte(r.Collect), &sc.Collect)
		if !json.Valid(sc.Replies) {
			sc.Replies = json.RawMessage("{}")
		}
		scenarios = append(scenarios, sc)
	}
	orders := []PoolOrder{}
	err := tx.Raw(`SELECT o.number, o.status, o.financial_status, o.fulfillment_status, o.currency, o.total_minor, o.promised_ship_by,
			coalesce(o.shipping_address->>'city', '') AS city, coalesce(s.carrier, '') AS carrier,
			coalesce(s.tracking_number, '') AS tracking_number, coalesce(s.status, '') AS shipment_status,
			s.estimated_delivery, o.created_at
		FROM conversations c
		JOIN orders o ON o.tenant_id = c.tenant_id AND o.customer_id = c.customer_id
		LEFT JOIN LATERAL (SELECT carrier, tracking_number, status, estimated_delivery FROM shipments sh
			WHERE sh.tenant_id = o.tenant_id AND sh.order_id = o.id ORDER BY sh.shipped_at DESC NULLS LAST LIMIT 1) s ON true
		WHERE c.tenant_id = ? AND c.id = ? ORDER BY o.created_at DESC LIMIT 5`, tenantID, id).Scan(&orders).Error
	return scenarios, orders, err
}

// ResolvePool resolves the conversation id for the pool agent it is
// assigned to; it leaves the pool, and the agent's room is freed. A
// conversation the brand took back is ECONFLICT; any other, ENOTFOUND.
func (s *Service) ResolvePool(ctx context.Context, id uuid.UUID) error {
	return s.pooled(ctx, id, "pool.resolved", func(ctx context.Context, tx *gorm.DB, it *PoolItem) error {
		resolved := helpdesk.StatusResolved
		_, err := s.helpdesk.UpdateConversation(ctx, id, helpdesk.ConversationUpdate{Status: &resolved})
		return err
	})
}

// HandBackPool gives the conversation id back to its brand's own queue at
// the pool agent's request: it leaves the pool at once, and the agent's
// room is freed.
func (s *Service) HandBackPool(ctx context.Context, id uuid.UUID) error {
	return s.pooled(ctx, id, "pool.handed_back", func(ctx context.Context, tx *gorm.DB, it *PoolItem) error {
		var rows []pooledRow
		if err := tx.Raw(`UPDATE pool_conversations SET state = 'returned', returned_at = clock_timestamp()
			WHERE tenant_id = ? AND conversation_id = ? AND agent_id = ? AND state = 'assigned'
			RETURNING conversation_id, alliance_id, agent_id`, it.TenantID, id, userOf(ctx)).Scan(&rows).Error; err != nil {
			return err
		}
		return s.giveBack(ctx, tx, rows, "handed_back")
	})
}
