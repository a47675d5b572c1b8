package alliance

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/sla"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// facts is what the pool queue keeps of a conversation: ids, urgency,
// skills and a masked preview.
type facts struct {
	Status     string
	AssigneeID *uuid.UUID
	Urgency    string
	Intent     string
	Language   string
	VIP        bool
	Preview    string
}

// factsSQL reads a conversation's queue facts, its last inbound message
// as the preview ($1 the brand, $2 the conversation).
const factsSQL = `SELECT c.status, c.assignee_id, c.urgency, c.intent, c.language, cu.vip,
		coalesce((SELECT m.body FROM messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id
			AND m.direction = 'inbound' ORDER BY m.created_at DESC LIMIT 1), '')
	FROM conversations c JOIN customers cu ON cu.tenant_id = c.tenant_id AND cu.id = c.customer_id
	WHERE c.tenant_id = $1 AND c.id = $2`

// loadFacts reads the conversation id's queue facts in the brand's
// transaction tx, with the customer's personal data it masks in the
// preview, in one round trip; ENOTFOUND when the brand has no such
// conversation.
func loadFacts(ctx context.Context, tx *gorm.DB, id uuid.UUID) (*facts, error) {
	return factsWith(ctx, tx, id)
}

// factsWith is loadFacts with more statements in its round trip, after
// its reads.
func factsWith(ctx context.Context, tx *gorm.DB, id uuid.UUID, more ...*postgres.Query) (*facts, error) {
	var f facts
	var found bool
	tenantID := deskpool.TenantIDFromContext(ctx)
	known, knownQuery := customerValuesQuery(tenantID, id)
	qs := append([]*postgres.Query{postgres.NewQuery(factsSQL, tenantID, id).Rows(func(rows postgres.Rows) error {
		for rows.Next() {
			found = true
			if err := rows.Scan(&f.Status, &f.AssigneeID, &f.Urgency, &f.Intent, &f.Language, &f.VIP, &f.Preview); err != nil {
				return err
			}
		}
		return nil
	}), knownQuery}, more...)
	if err := postgres.Batch(ctx, tx, qs...); err != nil {
		return nil, err
	}
	if !found {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "Conversation not found.")
	}
	f.Preview = truncate(MaskText(f.Preview, *known), 140)
	return &f, nil
}

// Offer puts the brand's conversation id in the alliance's pool queue and
// asks the helpdesk's one assignment path for a pool agent (masked view),
// inside the brand's transaction tx. It reports whether the pool took the
// conversation (assigned, or waiting for a pool agent with room); false
// when it already is in a pool or is not open, or when the brand's plan
// no longer includes overflow.
func (s *Service) Offer(ctx context.Context, tx *gorm.DB, allianceID, id uuid.UUID, reason string) (bool, error) {
	if s.plans != nil { // a plan downgraded since the rule was set sends nothing more
		if err := s.plans.CheckAllianceOverflow(ctx); deskpool.ErrorCode(err) == deskpool.EPAYMENTREQUIRED {
			return false, nil
		} else if err != nil {
			return false, err
		}
	}
	// The one lock order (lock_order.go): the brand's assignment lock (it
	// goes out with the next statement), then the conversation, locked in
	// the round trip that reads the facts, before its pool row and any
	// agent's room.
	if err := helpdesk.LockAssignment(ctx, tx); err != nil {
		return false, err
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	// The queue row goes in with the reads of the facts, in their round
	// trip, while the conversation is open; its preview, masked here, with
	// the next. One live entry per conversation (pool_conversations_live);
	// two pools offering it at once may even stamp the same instant, which
	// the primary key refuses: either way the second offer takes nothing.
	queued := false
	lock := postgres.NewQuery(`SELECT 1 FROM conversations WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, tenantID, id)
	f, err := factsWith(ctx, tx, id, lock, postgres.NewQuery(`INSERT INTO pool_conversations (tenant_id, conversation_id, alliance_id, state,
			reason, urgency, vip, intent, language, preview, pooled_at)
		SELECT c.tenant_id, c.id, $3, 'waiting', $4, c.urgency, cu.vip, c.intent, c.language, '', clock_timestamp()
		FROM conversations c JOIN customers cu ON cu.tenant_id = c.tenant_id AND cu.id = c.customer_id
		WHERE c.tenant_id = $1 AND c.id = $2 AND c.status = 'open'
		ON CONFLICT DO NOTHING RETURNING conversation_id`, tenantID, id, allianceID, reason).Rows(func(rows postgres.Rows) error {
		for rows.Next() {
			queued = true
		}
		return nil
	}))
	if err != nil || !queued {
		return false, err
	}
	postgres.Defer(ctx, tx, nil, `UPDATE pool_conversations SET preview = ? WHERE tenant_id = ? AND conversation_id = ? AND state = 'waiting'`,
		f.Preview, tenantID, id)
	// The audit entries and the timeline go out with the next round trip.
	details := map[string]any{"alliance_id": allianceID, "conversation_id": id, "reason": reason}
	if err := tenant.DeferAudit(ctx, tx, "pool.offered", "conversation", id.String(), details); err != nil {
		return false, err
	}
	if err := auditAlliance(ctx, tx, allianceID, "pool.offered", tenantID, id.String(), details); err != nil {
		return false, err
	}
	if err := helpdesk.AppendEvent(ctx, tx, id, "pooled", details); err != nil {
		return false, err
	}
	if err := s.emit(ctx, tx, helpdesk.EventConversationPooled, id, allianceID, reason); err != nil {
		return false, err
	}
	_, err = s.assignPooled(ctx, tx, allianceID, id)
	return true, err
}

// assignPooled gives the brand's waiting pool conversation id to a pool
// agent of the alliance with room, through helpdesk.Assign; nil when none
// has room or the conversation changed meanwhile.
func (s *Service) assignPooled(ctx context.Context, tx *gorm.DB, allianceID, id uuid.UUID) (*helpdesk.Assignment, error) {
	a, err := s.helpdesk.Assign(ctx, tx, helpdesk.AssignRequest{ConversationID: id, Candidates: PoolAgents{AllianceID: allianceID},
		By: "pool", Notice: helpdesk.AssignNotice{Kind: helpdesk.EventConversationAssigned, Title: "A pool conversation is yours",
			Body: "A member brand of your alliance needs an answer; its customer's personal data is masked."}})
	if err != nil || a == nil {
		return nil, err
	}
	res := tx.Exec(`UPDATE pool_conversations SET state = 'assigned', agent_id = ?, assigned_at = clock_timestamp()
		WHERE tenant_id = ? AND conversation_id = ? AND state = 'waiting'`, a.To, deskpool.TenantIDFromContext(ctx), id)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 { // the pool row changed under us: undo it all
		return nil, deskpool.Errorf(deskpool.ECONFLICT, "The pool conversation was routed meanwhile.")
	}
	return a, nil // the agent's load follows the pool row (migration 00030)
}

// poolRoom tells whether any online pool agent of the alliance (?) has
// room left: one look at its agents' rows (their primary key).
const poolRoom = `SELECT EXISTS (SELECT 1 FROM alliance_staff
	WHERE alliance_id = ? AND role = 'pool_agent' AND status = 'online' AND load < capacity)`

// RouteWaiting gives the alliance's waiting pool conversations to its
// online pool agents with room: high urgency and VIP first, then the
// oldest; each in its brand's own transaction. It stops as soon as no
// agent has room left: with every agent full (or none online) it reads
// the queue not at all, and after a conversation nobody took it looks
// once at the agents' room. It returns how many it assigned.
func (s *Service) RouteWaiting(ctx context.Context, allianceID uuid.UUID) (int, error) {
	type entry struct{ TenantID, ConversationID uuid.UUID }
	var queue []entry
	if err := s.platform(ctx, "pool_route", func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT p.tenant_id, p.conversation_id FROM pool_conversations p
			JOIN alliance_members m ON m.tenant_id = p.tenant_id AND m.alliance_id = p.alliance_id AND m.status = 'active'
			WHERE p.alliance_id = ? AND p.state = 'waiting'
				AND (`+poolRoom+`)
			ORDER BY (p.urgency = 'high') DESC, p.vip DESC, p.pooled_at LIMIT 200`, allianceID, allianceID).Scan(&queue).Error
	}); err != nil {
		return 0, err
	}
	n := 0
	for _, e := range queue {
		full := false
		err := s.brand(ctx, e.TenantID, func(ctx context.Context, tx *gorm.DB) error {
			// The brand's assignment lock and the conversation first, then
			// the pool row (lock_order.go): a concurrent router that got
			// there first is seen here.
			if err := lockForPool(ctx, tx, e.ConversationID); err != nil {
				return err
			}
			var still []uuid.UUID
			if err := tx.Raw(`SELECT conversation_id FROM pool_conversations WHERE tenant_id = ? AND conversation_id = ? AND alliance_id = ?
				AND state = 'waiting' FOR UPDATE`, e.TenantID, e.ConversationID, allianceID).Scan(&still).Error; err != nil || len(still) == 0 {
				return err
			}
			a, err := s.assignPooled(ctx, tx, allianceID, e.ConversationID)
			if a != nil {
				n++
			}
			if err != nil || a != nil {
				return err
			}
			// Nobody took it: the agents are full, or none fits this one.
			var room bool
			if err := tx.Raw(poolRoom, allianceID).Row().Scan(&room); err != nil {
				return err
			}
			full = !room
			return nil
		})
		if err != nil || full {
			return n, err
		}
	}
	return n, nil
}

// pooledRow is a pool entry leaving the pool.
type pooledRow struct {
	ConversationID uuid.UUID
	AllianceID     uuid.UUID
	AgentID        *uuid.UUID
}

// unpool takes the brand's live conversations out of the alliance's pool
// (only agent's when agent is not uuid.Nil) in its transaction tx: each a
// pool agent still holds goes back to the brand's own queue. It returns
// how many left the pool.
func (s *Service) unpool(ctx context.Context, tx *gorm.DB, allianceID, agent uuid.UUID, reason string) (int, error) {
	where, args := `p.alliance_id = ?`, []any{allianceID}
	if agent != uuid.Nil {
		where += ` AND p.agent_id = ?`
		args = append(args, agent)
	}
	rows, err := returnPooled(ctx, tx, where, args...)
	if err != nil {
		return 0, err
	}
	return len(rows), s.giveBack(ctx, tx, rows, reason)
}

// giveBack sends the conversations that left the pool back to the brand's
// own queue, from the pool agent who held them (whose room the pool row's
// change already freed), and queues the routing of those pools, once
// each (the requeue tells roomFreed too).
func (s *Service) giveBack(ctx context.Context, tx *gorm.DB, rows []pooledRow, reason string) error {
	var freed []uuid.UUID
	for _, r := range rows {
		if r.AgentID != nil {
			freed = append(freed, r.AllianceID)
		}
		if err := helpdesk.AppendEvent(ctx, tx, r.ConversationID, "unpooled", map[string]any{"alliance_id": r.AllianceID, "reason": reason}); err != nil {
			return err
		}
		if r.AgentID != nil {
			if _, err := s.helpdesk.Requeue(ctx, tx, r.ConversationID, r.AgentID, ""); err != nil {
				return err
			}
		}
		if err := s.emit(ctx, tx, helpdesk.EventConversationUnpooled, r.ConversationID, r.AllianceID, reason); err != nil {
			return err
		}
	}
	return s.queueRoute(ctx, tx, freed...) // their agents' room is free for the pools' waiting ones
}

// Recall takes the brand's conversation id back from the pool (a brand
// agent of the workspace in ctx asks): it returns to the brand's own
// queue at once, and its pool agent's next reply is ECONFLICT. A
// conversation not in a pool is ECONFLICT too; one the brand does not
// have, ENOTFOUND.
func (s *Service) Recall(ctx context.Context, id uuid.UUID) error {
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		if _, err := loadFacts(ctx, tx, id); err != nil {
			return err
		}
		rows, err := returnPooled(ctx, tx, `p.conversation_id = ?`, id)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return deskpool.Errorf(deskpool.ECONFLICT, "The conversation is not in an alliance's pool.")
		}
		details := map[string]any{"alliance_id": rows[0].AllianceID, "conversation_id": id}
		if err := tenant.Audit(ctx, tx, "pool.recalled", "conversation", id.String(), details); err != nil {
			return err
		}
		if err := auditAlliance(ctx, tx, rows[0].AllianceID, "pool.recalled", deskpool.TenantIDFromContext(ctx), id.String(), details); err != nil {
			return err
		}
		return s.giveBack(ctx, tx, rows, "recalled")
	})
}

// AgentOnline implements helpdesk.PresenceObserver: when an agent of the
// brand comes online, the pool gives back the brand's conversations it
// has not answered yet (waiting, or held without a pool reply), and the
// assignment pass that follows gives them to the brand's own people.
func (s *Service) AgentOnline(ctx context.Context, tx *gorm.DB, userID uuid.UUID) error {
	rows, err := returnPooled(ctx, tx, `NOT EXISTS (SELECT 1 FROM pool_usage u
		WHERE u.tenant_id = p.tenant_id AND u.conversation_id = p.conversation_id AND u.alliance_id = p.alliance_id)`)
	if err != nil {
		return err
	}
	return s.giveBack(ctx, tx, rows, "brand_agent_online")
}

var _ helpdesk.PresenceObserver = (*Service)(nil)

// OfferBreach implements sla.Overflow: a breached conversation goes to the
// pool of the first alliance whose rule has an SLA share (a breach is past
// every share) and admits it.
func (s *Service) OfferBreach(ctx context.Context, tx *gorm.DB, b sla.Breach) (bool, error) {
	return s.offerFirst(ctx, tx, b.ConversationID, ReasonSLA, func(r memberRule) bool { return r.SLAShare > 0 })
}

// PoolShare implements sla.ShareOverflow: the smallest SLA share (as a
// fraction) of the brand's active overflow rules; 0 when none has one.
// A brand in no pool (most) answers 0 from the cache, reading nothing:
// every clock it saves asks.
func (s *Service) PoolShare(ctx context.Context, tx *gorm.DB) (float64, error) {
	if on, err := s.mayOverflow(ctx, tx); err != nil || !on {
		return 0, err
	}
	var share int
	err := tx.Raw(`SELECT coalesce(min(sla_share), 0) FROM alliance_members WHERE tenant_id = ? AND status = 'active'
		AND overflow_enabled AND sla_share > 0`, deskpool.TenantIDFromContext(ctx)).Row().Scan(&share)
	return float64(share) / 100, err
}

// OfferShare implements sla.ShareOverflow: a conversation whose clock
// reached its brand's SLA share goes to the pool of the first alliance
// whose rule has an SLA share and admits it; one that was in a pool
// before (the brand took it back) is not offered again.
func (s *Service) OfferShare(ctx context.Context, tx *gorm.DB, conversationID uuid.UUID, metric string) (bool, error) {
	var before int
	if err := tx.Raw(`SELECT count(*) FROM pool_conversations WHERE tenant_id = ? AND conversation_id = ?`,
		deskpool.TenantIDFromContext(ctx), conversationID).Row().Scan(&before); err != nil || before > 0 {
		return false, err
	}
	return s.offerFirst(ctx, tx, conversationID, ReasonSLA, func(r memberRule) bool { return r.SLAShare > 0 })
}

// HandToPool implements sla.Overflow for the ladder's hand_to_pool step:
// the conversation goes to the pool of the first alliance whose rule
// admits it, whatever its triggers.
func (s *Service) HandToPool(ctx context.Context, tx *gorm.DB, conversationID uuid.UUID) (bool, error) {
	return s.offerFirst(ctx, tx, conversationID, ReasonLadder, func(memberRule) bool { return true })
}

func (s *Service) offerFirst(ctx context.Context, tx *gorm.DB, id uuid.UUID, reason string, trigger func(memberRule) bool) (bool, error) {
	rs, err := rules(ctx, tx)
	if err != nil || len(rs) == 0 {
		return false, err
	}
	f, err := loadFacts(ctx, tx, id)
	if err != nil {
		return false, err
	}
	for _, r := range rs {
		if !trigger(r) || !r.applies(f.Intent, f.Language, f.VIP) {
			continue
		}
		if ok, err := s.Offer(ctx, tx, r.AllianceID, id, reason); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

var _ sla.ShareOverflow = (*Service)(nil)
