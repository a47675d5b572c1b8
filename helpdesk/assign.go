package helpdesk

import (
	"context"
	"slices"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// Candidate is an agent who may take a conversation: their room, their
// skills and what they see of the customer.
type Candidate struct {
	UserID     uuid.UUID
	Capacity   int
	Senior     bool
	Gold       bool           // a VIP-lane agent (read only when the workspace's plan has the lanes)
	Languages  pq.StringArray `gorm:"type:text[]"`
	Channels   pq.StringArray `gorm:"type:text[]"`
	Categories pq.StringArray `gorm:"type:text[]"`
	Load       int            // open, pending and snoozed conversations they hold
	View       View           `gorm:"-"`
}

// View is what an assignee sees of the customer.
type View string

// Views: the workspace's own agents see the customer whole; an agent from
// outside it (an alliance pool agent) sees phone, email and address
// masked.
const (
	ViewFull   View = ""
	ViewMasked View = "masked"
)

// CandidateSource lists who may take the conversations of the workspace in
// ctx, read in tx under the assignment lock: the workspace's online agents
// today; a senior lane, an account manager or an alliance pool are other
// sources.
type CandidateSource interface {
	Candidates(ctx context.Context, tx *gorm.DB) ([]Candidate, error)
}

// BrandAgents is the workspace's own online agents, with their load;
// Senior keeps only the senior ones (the lane SLA escalations go to), and
// Gold with Senior the gold ones too (a VIP lane escalation); Lanes marks
// the gold (VIP lane) agents, who are otherwise like the rest. Assign sets
// Lanes and Gold from the workspace's plan and the conversation.
type BrandAgents struct{ Senior, Gold, Lanes bool }

// Candidates implements CandidateSource.
func (b BrandAgents) Candidates(ctx context.Context, tx *gorm.DB) ([]Candidate, error) {
	sql := `SELECT a.user_id, a.capacity, a.senior, a.gold AND ? AS gold, a.languages, a.channels, a.categories,
			(SELECT count(*) FROM conversations c WHERE c.tenant_id = a.tenant_id AND c.assignee_id = a.user_id
				AND c.status IN ('open', 'pending', 'snoozed')) AS load
		FROM agent_profiles a WHERE a.tenant_id = ? AND a.status = 'online'`
	switch {
	case b.Senior && b.Gold && b.Lanes:
		sql += ` AND (a.senior OR a.gold)`
	case b.Senior:
		sql += ` AND a.senior`
	}
	var out []Candidate
	err := tx.Raw(sql+` ORDER BY a.user_id`, b.Lanes, deskpool.TenantIDFromContext(ctx)).Scan(&out).Error
	return out, err
}

// AssignNotice is what a new assignee is told.
type AssignNotice struct {
	Kind, Title, Body string
}

// AssignRequest asks for an agent for one conversation.
type AssignRequest struct {
	ConversationID uuid.UUID
	Candidates     CandidateSource // nil: BrandAgents{}
	By             string          // who decided, for the timeline: "auto", "sla", ...
	Notice         AssignNotice    // zero: the default notice of By
}

// Assignment is a conversation that changed hands. To is nil when it went
// back to the queue.
type Assignment struct {
	ConversationID uuid.UUID
	From, To       *uuid.UUID
	By             string
	View           View
}

// Assign picks the best agent with room among the request's candidates
// (never the one who holds the conversation now, nor a member past the
// plan's seats; see pickAgent and seated; a RoomHolder source holds the
// room of the one chosen) and
// claims the conversation for them, inside tx under the assignment lock.
// The claim holds only if the assignee is still the one read, so a
// concurrent change wins; Assign then returns nil, as it does when no
// candidate has room. Then it does what every assignment implies: the
// observers (the SLA engine) are told, and the timeline, the assignee's
// notification and the conversation.assigned webhook follow (see
// announce).
func (s *Service) Assign(ctx context.Context, tx *gorm.DB, req AssignRequest) (*Assignment, error) {
	if err := LockAssignment(ctx, tx); err != nil {
		return nil, err
	}
	lanes, err := s.lanesOn(ctx)
	if err != nil {
		return nil, err
	}
	w, err := loadWaiting(ctx, tx, req.ConversationID)
	if err != nil {
		return nil, err
	}
	source := req.Candidates
	switch b := source.(type) {
	case nil:
		source = BrandAgents{Lanes: lanes}
	case BrandAgents:
		// The VIP lane: a VIP or high-value customer's escalation may go
		// to a gold agent as well as a senior one.
		b.Lanes, b.Gold = lanes, lanes && b.Senior && (w.VIP || w.HighValue)
		source = b
	}
	agents, err := source.Candidates(ctx, tx)
	if err == nil {
		agents, err = s.seated(ctx, tx, agents)
	}
	if err != nil {
		return nil, err
	}
	if !lanes {
		w.AccountManagerID = nil
	}
	if w.AssigneeID != nil {
		agents = slices.DeleteFunc(agents, func(c Candidate) bool { return c.UserID == *w.AssigneeID })
	}
	best, err := pick(ctx, tx, source, agents, w)
	if err != nil || best < 0 {
		return nil, err
	}
	return s.take(ctx, tx, w, agents[best], req.By, req.Notice)
}

// loadWaiting reads what choosing an agent needs of a conversation.
func loadWaiting(ctx context.Context, tx *gorm.DB, id uuid.UUID) (waiting, error) {
	var w waiting
	err := tx.Raw(`SELECT c.id, c.level, c.language, c.last_channel AS channel, c.intent, c.assignee_id, cu.vip,
			cu.segment = 'high_value' AS high_value, cu.account_manager_id
		FROM conversations c JOIN customers cu ON cu.tenant_id = c.tenant_id AND cu.id = c.customer_id
		WHERE c.tenant_id = ? AND c.id = ?`, deskpool.TenantIDFromContext(ctx), id).Scan(&w).Error
	if err == nil && w.ID == uuid.Nil {
		err = deskpool.Errorf(deskpool.ENOTFOUND, "Conversation not found.")
	}
	return w, err
}

// take claims w for agent, tells the observers and announces it; nil when
// another change got to the conversation first.
func (s *Service) take(ctx context.Context, tx *gorm.DB, w waiting, agent Candidate, by string, notice AssignNotice) (*Assignment, error) {
	moved, err := setAssignee(ctx, tx, []uuid.UUID{w.ID}, w.AssigneeID, &agent.UserID, "")
	if err != nil || len(moved) == 0 {
		return nil, err
	}
	h := moved[0]
	a := &Assignment{ConversationID: w.ID, From: w.AssigneeID, To: &agent.UserID, By: by, View: agent.View}
	// The observers set what they change (the SLA deadlines) on h.After.
	if err := s.notifyObservers(ctx, tx, Change{Kind: ChangeUpdated, Before: h.Before, After: h.After, At: now()}); err != nil {
		return nil, err
	}
	return a, s.announce(ctx, tx, a, h.After, notice)
}

// Requeue returns a conversation that from (nil: nobody) still holds to
// the queue at level (L4 or L5: for senior agents only; "" keeps its
// level), tells the observers (the SLA engine, the alliance pool whose
// agent's room it frees) as the other assignment paths do, and asks for
// an assignment pass. It reports whether the conversation moved.
func (s *Service) Requeue(ctx context.Context, tx *gorm.DB, conversationID uuid.UUID, from *uuid.UUID, level string) (bool, error) {
	moved, err := setAssignee(ctx, tx, []uuid.UUID{conversationID}, from, nil, level)
	if err != nil || len(moved) == 0 {
		return false, err
	}
	h := moved[0]
	if err := s.notifyObservers(ctx, tx, Change{Kind: ChangeUpdated, Before: h.Before, After: h.After, At: now()}); err != nil {
		return false, err
	}
	return true, s.queueAssignment(ctx, tx)
}

// handOver is a conversation that changed hands: as it was, locked, and
// as it is after the change.
type handOver struct{ Before, After *Conversation }

// setAssignee is the one statement that changes who holds conversations,
// a compare-and-set: it moves the conversations ids from `from` (nil:
// nobody) to `to` (nil: back to the queue) where from still holds them,
// sets their level too when level is not empty, and returns each one it
// moved as it was and as it is now; none when another change got to them
// first. It locks them by id before it changes them (the conversations
// come first in the pool's lock order: see alliance/lock_order.go), all in
// one statement and one round trip with the writes deferred before it.
func setAssignee(ctx context.Context, tx *gorm.DB, ids []uuid.UUID, from, to *uuid.UUID, level string) ([]handOver, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []handOver
	q := postgres.NewQuery(setAssigneeSQL, deskpool.TenantIDFromContext(ctx), ids, from, to, level)
	q.Rows(func(rows postgres.Rows) error {
		for rows.Next() {
			h := handOver{Before: new(Conversation), After: new(Conversation)}
			if err := rows.Scan(append(h.Before.targets(), h.After.targets()...)...); err != nil {
				return err
			}
			out = append(out, h)
		}
		return nil
	})
	if err := postgres.Batch(ctx, tx, q); err != nil {
		return nil, err
	}
	return out, nil
}

// setAssigneeSQL is setAssignee's statement. The locking read is a
// materialized CTE, so the row the update changes is the one it locked and
// returns as it was: a change committed meanwhile is either seen (and
// still held by from) or the conversation is left alone.
var setAssigneeSQL = `WITH b AS MATERIALIZED (SELECT ` + conversationColumns + ` FROM conversations
		WHERE tenant_id = $1 AND id = ANY($2) AND assignee_id IS NOT DISTINCT FROM $3 ORDER BY id FOR UPDATE)
	UPDATE conversations c SET assignee_id = $4, level = COALESCE(NULLIF($5, ''), c.level), updated_at = now()
	FROM b WHERE c.tenant_id = $1 AND c.id = b.id
	RETURNING ` + columnsOf("b") + `, ` + columnsOf("c")

// columnsOf is conversationColumns, each of the table alias.
func columnsOf(alias string) string {
	cols := strings.Split(conversationColumns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// announce records an assignment stored in tx: the timeline, a
// notification to the new assignee (unless they took it themselves) and
// the conversation.assigned webhook with the conversation as it is now.
// A conversation sent back to the queue gets the timeline entry only.
func (s *Service) announce(ctx context.Context, tx *gorm.DB, a *Assignment, c *Conversation, notice AssignNotice) error {
	data := map[string]any{"from": a.From, "to": a.To, "by": a.By}
	if a.View == ViewMasked {
		data["view"] = a.View
	}
	if err := s.event(ctx, tx, a.ConversationID, "assigned", data); err != nil {
		return err
	}
	if a.To == nil {
		return nil
	}
	if actor, _ := deskpool.ActorFromContext(ctx); actor.UserID != *a.To {
		n := notice.or(a.By)
		if err := Notify(ctx, tx, a.To, n.Kind, n.Title, n.Body, map[string]any{"conversation_id": a.ConversationID}); err != nil {
			return err
		}
	}
	return s.events.Emit(ctx, tx, EventConversationAssigned, map[string]any{"conversation": c})
}

// or returns n, or the default notice of an assignment made by by.
func (n AssignNotice) or(by string) AssignNotice {
	if n.Kind != "" {
		return n
	}
	body := "It was given to you: you are online and have room."
	if by == "manual" {
		body = "A teammate gave it to you."
	}
	return AssignNotice{Kind: EventConversationAssigned, Title: "A conversation is yours", Body: body}
}
