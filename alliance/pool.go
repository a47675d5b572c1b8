package alliance

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// PoolItem is one conversation the pool holds for the calling pool agent,
// as the queue keeps it: ids, urgency, skills and a masked preview.
type PoolItem struct {
	ConversationID uuid.UUID  `json:"conversation_id"`
	TenantID       uuid.UUID  `json:"tenant_id"`
	BrandName      string     `json:"brand_name"`
	AllianceID     uuid.UUID  `json:"alliance_id"`
	Urgency        string     `json:"urgency"`
	VIP            bool       `json:"vip"`
	Intent         string     `json:"intent"`
	Language       string     `json:"language"`
	Preview        string     `json:"preview"`
	Reason         string     `json:"reason"`
	AssignedAt     *time.Time `json:"assigned_at"`
}

// poolItemQuery lists the live pool assignments of one agent in brands
// still members: a brand that left is closed to the pool at once.
const poolItemQuery = `SELECT p.conversation_id, p.tenant_id, t.name AS brand_name, p.alliance_id, p.urgency, p.vip, p.intent,
		p.language, p.preview, p.reason, p.assigned_at, p.state
	FROM pool_conversations p
	JOIN alliance_members m ON m.tenant_id = p.tenant_id AND m.alliance_id = p.alliance_id AND m.status = 'active'
	JOIN tenants t ON t.id = p.tenant_id
	WHERE p.agent_id = ? AND p.state = 'assigned'`

// FindPool lists the conversations the pool holds for the calling pool
// agent, across brands, oldest assignment first. The listing is recorded
// in each alliance's and each brand's audit log.
func (s *Service) FindPool(ctx context.Context) ([]PoolItem, error) {
	return s.findPool(ctx, PoolFilter{})
}

// findPool is FindPool narrowed by f in the query itself, so that only
// the conversations listed are recorded as listed.
func (s *Service) findPool(ctx context.Context, f PoolFilter) ([]PoolItem, error) {
	out := []PoolItem{}
	err := s.platform(ctx, "pool_list", func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Raw(poolItemQuery+` AND (? = '' OR p.intent = ?) AND (? = '' OR p.urgency = ?)
			AND (? = '' OR strpos(lower(p.preview), lower(?)) > 0)
			ORDER BY p.assigned_at, p.conversation_id LIMIT 500`,
			userOf(ctx), f.Intent, f.Intent, f.Urgency, f.Urgency, f.Q, f.Q)
		if err := q.Scan(&out).Error; err != nil {
			return err
		}
		seen := map[uuid.UUID][]uuid.UUID{}
		for _, it := range out {
			seen[it.AllianceID] = append(seen[it.AllianceID], it.ConversationID)
			// The brand's own log too, written on this audited path.
			a, _ := deskpool.ActorFromContext(ctx)
			a.TenantID = it.TenantID
			if err := tenant.Audit(deskpool.NewContextWithActor(ctx, a), tx, "pool.listed", "conversation", it.ConversationID.String(),
				map[string]any{"alliance_id": it.AllianceID}); err != nil {
				return err
			}
		}
		for id, convs := range seen {
			if err := auditAlliance(ctx, tx, id, "pool.listed", uuid.Nil, "", map[string]any{"conversations": convs}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// locate finds, on the system path, the pool assignment of conversation
// id to the calling agent in a brand still a member; ENOTFOUND for any
// other conversation of any brand, so an id outside the pool reveals
// nothing, and ECONFLICT when the brand took it back from them.
func (s *Service) locate(ctx context.Context, id uuid.UUID) (*PoolItem, error) {
	var it struct {
		PoolItem
		State string
	}
	err := s.platform(ctx, "pool_access", func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(strings.Replace(poolItemQuery, "p.state = 'assigned'", "p.state IN ('assigned', 'returned')", 1)+
			` AND p.conversation_id = ? ORDER BY p.pooled_at DESC LIMIT 1`, userOf(ctx), id).Scan(&it).Error
	})
	if err != nil {
		return nil, err
	}
	if it.ConversationID == uuid.Nil {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "Conversation not found.")
	}
	if it.State != "assigned" {
		return nil, errTakenBack
	}
	return &it.PoolItem, nil
}

var errTakenBack = deskpool.Errorf(deskpool.ECONFLICT, "The conversation left the pool: its brand took it back.")

// pooled runs fn in the brand's own transaction for the pool agent's
// access to conversation id, after checking there (under row-level
// security, the pool row locked) that the pool still holds it for them;
// the access is recorded in the brand's and the alliance's audit logs.
func (s *Service) pooled(ctx context.Context, id uuid.UUID, action string, fn func(ctx context.Context, tx *gorm.DB, it *PoolItem) error) error {
	it, err := s.locate(ctx, id)
	if err != nil {
		return err
	}
	return s.brand(ctx, it.TenantID, func(ctx context.Context, tx *gorm.DB) error {
		// The conversation before its pool row (lock_order.go): what fn
		// does next (a reply, a resolve, a hand-back) changes both.
		if err := lockConversation(ctx, tx, id); err != nil {
			return err
		}
		var held int
		if err := tx.Raw(`SELECT count(*) FROM (SELECT 1 FROM pool_conversations p
				JOIN conversations c ON c.tenant_id = p.tenant_id AND c.id = p.conversation_id AND c.assignee_id = p.agent_id
				JOIN alliance_members m ON m.tenant_id = p.tenant_id AND m.alliance_id = p.alliance_id AND m.status = 'active'
			WHERE p.tenant_id = ? AND p.conversation_id = ? AND p.agent_id = ? AND p.state = 'assigned' FOR UPDATE OF p) x`,
			it.TenantID, id, userOf(ctx)).Scan(&held).Error; err != nil {
			return err
		}
		if held == 0 {
			return errTakenBack
		}
		details := map[string]any{"alliance_id": it.AllianceID, "conversation_id": id}
		if err := tenant.Audit(ctx, tx, action, "conversation", id.String(), details); err != nil {
			return err
		}
		if err := auditAlliance(ctx, tx, it.AllianceID, action, it.TenantID, id.String(), details); err != nil {
			return err
		}
		return fn(ctx, tx, it)
	})
}

// PoolCustomer is the customer as a pool agent sees them: masked.
type PoolCustomer struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	VIP      bool   `json:"vip"`
	Language string `json:"language"`
}

// PoolMessage is a message as a pool agent sees it: personal data masked.
type PoolMessage struct {
	ID         uuid.UUID `json:"id"`
	Direction  string    `json:"direction"`
	AuthorKind string    `json:"author_kind"`
	Internal   bool      `json:"internal"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

// PoolConversation is a brand's conversation as its pool agent sees it.
type PoolConversation struct {
	PoolItem
	Status    string          `json:"status"`
	Channel   string          `json:"channel"`
	Level     string          `json:"level"`
	Facts     json.RawMessage `json:"facts"` // what triage collected (order number, problem), masked
	Customer  PoolCustomer    `json:"customer"`
	Messages  []PoolMessage   `json:"messages"`
	Scenarios []PoolScenario  `json:"scenarios"` // the brand's knowledge for the conversation's intent
	Orders    []PoolOrder     `json:"orders"`    // the customer's latest orders: address reduced to city
}

// FindPoolConversation returns the conversation id to the pool agent it
// is assigned to, masked; ENOTFOUND unless the pool holds it for them.
func (s *Service) FindPoolConversation(ctx context.Context, id uuid.UUID) (*PoolConversation, error) {
	var out *PoolConversation
	err := s.pooled(ctx, id, "pool.conversation_read", func(ctx context.Context, tx *gorm.DB, it *PoolItem) error {
		d, err := s.helpdesk.FindConversation(ctx, id)
		if err != nil {
			return err
		}
		known, err := customerValues(ctx, tx, id)
		if err != nil {
			return err
		}
		out = masked(it, d, known)
		out.Scenarios, out.Orders, err = answerFacts(ctx, tx, id, it.Intent)
		return err
	})
	return out, err
}

// masked is the pool agent's view of d: phone, email and name masked in
// the customer, and those and the other known personal values masked in
// every message.
func masked(it *PoolItem, d *helpdesk.ConversationDetail, known []string) *PoolConversation {
	out := &PoolConversation{PoolItem: *it, Status: d.Status, Channel: d.LastChannel, Level: d.Level, Messages: []PoolMessage{}}
	if c := d.Customer; c != nil {
		out.Customer = PoolCustomer{VIP: c.VIP, Language: c.Language}
		if c.Name != nil {
			out.Customer.Name = MaskName(*c.Name)
		}
		if c.Email != nil {
			out.Customer.Email = MaskEmail(*c.Email)
		}
		if c.Phone != nil {
			out.Customer.Phone = MaskPhone(*c.Phone)
		}
	}
	out.Facts = json.RawMessage(MaskText(string(d.Facts), known))
	if len(d.Facts) == 0 || !json.Valid(out.Facts) {
		out.Facts = json.RawMessage("{}")
	}
	for _, m := range d.Messages {
		out.Messages = append(out.Messages, PoolMessage{ID: m.ID, Direction: m.Direction, AuthorKind: m.AuthorKind,
			Internal: m.Internal, Body: MaskText(m.Body, known), CreatedAt: m.CreatedAt})
	}
	return out
}

// MeterPool is the billing meter of conversations an alliance pool
// handled for a brand.
const MeterPool = billing.MeterAlliancePool

// ReplyPool posts the pool agent's reply (or internal note) in the
// conversation id. The first pool reply counts the conversation as
// handled by the pool, once, with its handle time, in the same
// transaction. A conversation the brand took back is ECONFLICT.
func (s *Service) ReplyPool(ctx context.Context, id uuid.UUID, r helpdesk.Reply) (*PoolMessage, error) {
	var out *PoolMessage
	err := s.pooled(ctx, id, "pool.replied", func(ctx context.Context, tx *gorm.DB, it *PoolItem) error {
		m, err := s.helpdesk.AddReply(ctx, id, r)
		if err != nil {
			return err
		}
		out = &PoolMessage{ID: m.ID, Direction: m.Direction, AuthorKind: m.AuthorKind, Internal: m.Internal, Body: m.Body, CreatedAt: m.CreatedAt}
		if r.Internal {
			return nil
		}
		return countHandled(ctx, tx, it, m.CreatedAt)
	})
	return out, err
}

// countHandled counts the conversation of it once as handled by its pool,
// in the brand's transaction tx, and adds it to the brand's pool meter.
func countHandled(ctx context.Context, tx *gorm.DB, it *PoolItem, at time.Time) error {
	handle := 0.0
	if it.AssignedAt != nil {
		handle = max(at.Sub(*it.AssignedAt).Seconds(), 0)
	}
	res := tx.Exec(`INSERT INTO pool_usage (tenant_id, conversation_id, alliance_id, agent_id, first_reply_at, handle_seconds)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, it.TenantID, it.ConversationID, it.AllianceID, userOf(ctx), at, handle)
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error
	}
	// Every pool conversation is billable: billing reports it on the
	// brand's alliance-pool item (the plan includes overflow, or Offer
	// would not have pooled it).
	billing.Count(ctx, tx, MeterPool, 1, 1, at)
	return nil
}
