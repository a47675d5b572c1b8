package helpdesk

import (
	"context"
	"slices"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// RenderedReply is a saved reply filled for one conversation, for the agent
// to edit and send; nothing is sent.
type RenderedReply struct {
	SavedReplyID   uuid.UUID `json:"saved_reply_id"`
	ConversationID uuid.UUID `json:"conversation_id"`
	Body           string    `json:"body"`
	Language       string    `json:"language"` // en or zh: the reply's, else the conversation's
	// Missing are the placeholders the conversation had no value for (no
	// linked order, no customer name): filled with "there" for an unnamed
	// customer in English, else left empty.
	Missing []string `json:"missing"`
}

// orderStatusWords say an order status the way a customer reads it.
var orderStatusWords = map[string]map[string]string{
	"zh": {"pending": "待付款", "paid": "已付款，待发货", "fulfilled": "已发货", "partially_fulfilled": "部分已发货",
		"cancelled": "已取消", "refunded": "已退款"},
	"en": {"pending": "awaiting payment", "paid": "paid, being prepared", "fulfilled": "shipped",
		"partially_fulfilled": "partly shipped", "cancelled": "cancelled", "refunded": "refunded"},
}

// OrderStatusWord says an order status the way a customer reads it, in
// lang (en or zh): a status with no words is said as it is.
func OrderStatusWord(lang, status string) string {
	if w, ok := orderStatusWords[lang][status]; ok {
		return w
	}
	return status
}

// RenderSavedReply fills a saved reply's placeholders from a conversation:
// its customer, the agent in ctx, the workspace, and the conversation's
// linked order (the newest of its customer's orders that it names by
// number or external id, else its customer's latest) with that order's
// latest shipment. An order of another customer is never filled in, even
// when the conversation names it: the reply goes to whoever asked. The reply's
// use is counted. Another workspace's reply or conversation is ENOTFOUND.
func (s *Service) RenderSavedReply(ctx context.Context, conversationID, replyID uuid.UUID) (*RenderedReply, error) {
	var out *RenderedReply
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r, err := findSavedReply(ctx, tx, replyID, false)
		if err != nil {
			return err
		}
		c, err := loadConversation(ctx, tx, conversationID, false)
		if err != nil {
			return err
		}
		lang := "en"
		if r.Language != nil {
			lang = *r.Language
		} else if c.Language == "zh" {
			lang = "zh"
		}
		values, err := savedReplyValues(ctx, tx, c, lang)
		if err != nil {
			return err
		}
		body, missing := fillSavedReply(r.Body, values, lang)
		if err := tx.Exec(`UPDATE saved_replies SET uses = uses + 1, last_used_at = now() WHERE tenant_id = ? AND id = ?`,
			deskpool.TenantIDFromContext(ctx), replyID).Error; err != nil {
			return err
		}
		out = &RenderedReply{SavedReplyID: replyID, ConversationID: conversationID, Body: body, Language: lang, Missing: missing}
		return nil
	})
	return out, err
}

// savedReplyValues reads, in one statement, the values of the
// placeholders known for conversation c; those with no value are absent.
func savedReplyValues(ctx context.Context, tx *gorm.DB, c *Conversation, lang string) (map[string]string, error) {
	a, _ := deskpool.ActorFromContext(ctx)
	refs := OrderNumbersNamed(c.OrderRefs, 40)
	var row struct {
		CustomerName, CustomerEmail, WorkspaceName, AgentName string
		OrderNumber, OrderStatus, Tracking                    *string
	}
	err := tx.Raw(`SELECT COALESCE(cu.name, '') AS customer_name, COALESCE(cu.email, '') AS customer_email,
			(SELECT name FROM tenants WHERE id = @t) AS workspace_name,
			COALESCE((SELECT name FROM users WHERE id = @u), '') AS agent_name,
			o.number AS order_number, o.status AS order_status, sh.tracking_number AS tracking
		FROM customers cu
		LEFT JOIN LATERAL (SELECT id, COALESCE(NULLIF(number, ''), external_id) AS number, status FROM orders
			WHERE tenant_id = @t AND customer_id IN (SELECT id FROM customers WHERE tenant_id = @t AND (id = cu.id OR merged_into = cu.id))
			ORDER BY (number = ANY(CAST(@refs AS text[])) OR external_id = ANY(CAST(@refs AS text[]))) DESC, created_at DESC, id DESC
			LIMIT 1) o ON true
		LEFT JOIN LATERAL (SELECT tracking_number FROM shipments WHERE tenant_id = @t AND order_id = o.id
			ORDER BY shipped_at DESC NULLS LAST, updated_at DESC LIMIT 1) sh ON true
		WHERE cu.tenant_id = @t AND cu.id = @c`,
		map[string]any{"t": a.TenantID, "u": a.UserID, "c": c.CustomerID, "refs": pgTextArray(refs)}).Scan(&row).Error
	if err != nil {
		return nil, err
	}
	v := map[string]string{}
	set := func(k, s string) {
		if s = strings.TrimSpace(s); s != "" {
			v[k] = s
		}
	}
	set("customer.name", row.CustomerName)
	set("customer.email", row.CustomerEmail)
	set("workspace.name", row.WorkspaceName)
	set("agent.name", row.AgentName)
	if row.OrderNumber != nil {
		set("order.number", *row.OrderNumber)
	}
	if row.OrderStatus != nil {
		set("order.status", OrderStatusWord(lang, *row.OrderStatus))
	}
	if row.Tracking != nil {
		set("order.tracking_number", *row.Tracking)
	}
	return v, nil
}

// fillSavedReply replaces each placeholder of body with its value; missing
// lists, once each, those with none. An unnamed customer is "there" in
// English ("Hi {{customer.name}}" reads "Hi there").
func fillSavedReply(body string, v map[string]string, lang string) (string, []string) {
	missing := []string{}
	out := savedPlaceholderRE.ReplaceAllStringFunc(body, func(m string) string {
		name := savedPlaceholderRE.FindStringSubmatch(m)[1]
		if s, ok := v[name]; ok {
			return s
		}
		if !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
		if name == "customer.name" && lang == "en" {
			return "there"
		}
		return ""
	})
	return out, missing
}
