package helpdesk

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// CustomerExport is everything held about a customer (a data subject
// access request under PIPL/GDPR).
type CustomerExport struct {
	ExportedAt    time.Time            `json:"exported_at"`
	Customer      *Customer            `json:"customer"`
	Merged        []uuid.UUID          `json:"merged_records"`
	Conversations []ConversationExport `json:"conversations"`
}

// ConversationExport is one conversation with its messages, timeline and
// rating.
type ConversationExport struct {
	Conversation
	Messages []Message       `json:"messages"`
	Events   []TimelineEvent `json:"events"`
	CSAT     *CSAT           `json:"csat"`
}

// ExportCustomer gathers everything held about a customer, and audits it.
func (s *Service) ExportCustomer(ctx context.Context, id uuid.UUID) (*CustomerExport, error) {
	out := &CustomerExport{ExportedAt: now(), Merged: []uuid.UUID{}, Conversations: []ConversationExport{}}
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		c, err := s.findCustomer(tx, tenantID, id)
		if err != nil {
			return err
		}
		out.Customer = c
		merged, err := postgres.ScanIDs(tx.Raw(`SELECT id FROM customers WHERE tenant_id = ? AND merged_into = ?`, tenantID, id))
		if err != nil {
			return err
		}
		out.Merged = append(out.Merged, merged...)
		var convs []Conversation
		if err := tx.Raw(`SELECT `+conversationColumns+` FROM conversations WHERE tenant_id = ? AND customer_id = ? ORDER BY created_at`,
			tenantID, id).Scan(&convs).Error; err != nil {
			return err
		}
		for _, cv := range convs {
			e := ConversationExport{Conversation: cv}
			if e.Messages, err = s.messagesOf(ctx, tx, cv.ID); err != nil {
				return err
			}
			if err := tx.Raw(`SELECT id, kind, actor_kind, actor_id, data, created_at FROM conversation_timeline
				WHERE tenant_id = ? AND conversation_id = ? ORDER BY created_at, id`, tenantID, cv.ID).Scan(&e.Events).Error; err != nil {
				return err
			}
			var csat CSAT
			if err := tx.Raw(`SELECT conversation_id, score, nps, comment, created_at FROM csat_responses WHERE tenant_id = ? AND conversation_id = ?`,
				tenantID, cv.ID).Scan(&csat).Error; err != nil {
				return err
			}
			if csat.ConversationID != uuid.Nil {
				e.CSAT = &csat
			}
			out.Conversations = append(out.Conversations, e)
		}
		return tenant.Audit(ctx, tx, "customer.exported", "customer", id.String(), nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// erasure scrubs a customer's personal data wherever it is held; the
// counts (conversations, messages, ratings) stay for the metrics.
var erasure = []string{
	`UPDATE customers SET name = NULL, email = NULL, phone = NULL, erased_at = now(), updated_at = now()
		WHERE tenant_id = @t AND (id = @c OR merged_into = @c)`,
	`DELETE FROM customer_identities WHERE tenant_id = @t AND customer_id IN (SELECT id FROM customers WHERE tenant_id = @t AND (id = @c OR merged_into = @c))`,
	`UPDATE messages SET body = '[erased]', attachments = '[]', external_message_id = NULL,
		triage = CASE WHEN jsonb_typeof(triage) = 'object' THEN triage - 'facts' - 'suggested_reply' ELSE triage END
		WHERE tenant_id = @t AND conversation_id IN (SELECT id FROM conversations WHERE tenant_id = @t AND customer_id = @c)`,
	`UPDATE conversation_events SET data = data - 'facts' - 'suggested_reply'
		WHERE jsonb_typeof(data) = 'object' AND tenant_id = @t AND conversation_id IN (SELECT id FROM conversations WHERE tenant_id = @t AND customer_id = @c)`,
	`UPDATE conversations SET subject = '', facts = '{}', order_refs = '{}', updated_at = now() WHERE tenant_id = @t AND customer_id = @c`,
	`UPDATE csat_responses SET comment = '' WHERE tenant_id = @t AND conversation_id IN (SELECT id FROM conversations WHERE tenant_id = @t AND customer_id = @c)`,
	`UPDATE quality_reviews SET comment = '' WHERE tenant_id = @t AND conversation_id IN (SELECT id FROM conversations WHERE tenant_id = @t AND customer_id = @c)`,
	`UPDATE webhook_deliveries SET payload = jsonb_set(payload, '{data}', '{"erased": true}')
		WHERE tenant_id = @t AND (payload->'data'->>'customer_id' = @cs OR payload->'data'->'conversation'->>'customer_id' = @cs)`,
}

// EraseCustomer scrubs a customer's personal fields, identities, message
// bodies and attachments, rating comments, webhook payloads and the contact
// data of their orders, keeps the aggregates, audits the erasure and emits
// customer.erased.
func (s *Service) EraseCustomer(ctx context.Context, id uuid.UUID) error {
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		c, err := s.findCustomer(tx, tenantID, id)
		if err != nil {
			return err
		}
		if c.MergedInto != nil {
			return deskpool.Errorf(deskpool.ECONFLICT, "This record was merged into customer %s; erase that one.", *c.MergedInto)
		}
		ids, err := postgres.ScanIDs(tx.Raw(`SELECT id FROM customers WHERE tenant_id = ? AND (id = ? OR merged_into = ?)`, tenantID, id, id))
		if err != nil {
			return err
		}
		if e, ok := s.orders.(CustomerDataEraser); ok {
			if err := e.EraseCustomerData(ctx, tx, ids); err != nil {
				return err
			}
		}
		args := map[string]any{"t": tenantID, "c": id, "cs": id.String()}
		for _, q := range erasure {
			if err := tx.Exec(q, args).Error; err != nil {
				return err
			}
		}
		if err := tenant.Audit(ctx, tx, "customer.erased", "customer", id.String(), nil); err != nil {
			return err
		}
		return s.events.Emit(ctx, tx, EventCustomerErased, map[string]any{"customer_id": id})
	})
}
