package helpdesk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// TaskAssign assigns a workspace's waiting conversations.
const TaskAssign = "helpdesk:assign"

type assignPayload struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

// waiting is a conversation in the queue, or one being reassigned.
type waiting struct {
	ID               uuid.UUID
	Level            string
	Language         string
	Channel          string
	Intent           string
	AssigneeID       *uuid.UUID
	VIP              bool       `gorm:"column:vip"`
	HighValue        bool       // the customer's segment is high_value
	AccountManagerID *uuid.UUID // the customer's dedicated agent, when the lanes apply
}

// assignWaiting gives waiting conversations to online agents: VIP and
// L4-L5 conversations first and to senior agents, then the longest
// waiting; each to a seated agent (see seated) with the best skill match (language, channel,
// intent category) and the lowest load, never above capacity. Passes (and
// agents changing status) take turns on a per-workspace lock, so capacity
// holds; each assignment is claimed with a conditional update (see take),
// so double assignment is impossible.
func (s *Service) assignWaiting(ctx context.Context, tx *gorm.DB) (int, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	// Lock first, count after: under READ COMMITTED a statement that waited
	// for a lock still reads with its old snapshot, so the loads must be
	// read by a later statement.
	if err := LockAssignment(ctx, tx); err != nil {
		return 0, err
	}
	lanes, err := s.lanesOn(ctx)
	if err != nil {
		return 0, err
	}
	agents, err := BrandAgents{Lanes: lanes}.Candidates(ctx, tx)
	if err == nil {
		agents, err = s.seated(ctx, tx, agents)
	}
	if err != nil || len(agents) == 0 {
		return 0, err
	}
	// VIP, high-value and vulnerable customers are never at the back of
	// the queue: they come before everyone waiting longer.
	var queue []waiting
	if err := tx.Raw(`SELECT c.id, c.level, c.language, c.last_channel AS channel, c.intent, cu.vip,
			cu.segment = 'high_value' AS high_value, CASE WHEN ? THEN cu.account_manager_id END AS account_manager_id
		FROM conversations c JOIN customers cu ON cu.tenant_id = c.tenant_id AND cu.id = c.customer_id
		WHERE c.tenant_id = ? AND c.status = 'open' AND c.assignee_id IS NULL
		ORDER BY (cu.vip OR cu.segment = 'high_value' OR cu.vulnerable) DESC, (c.level IN ('L4', 'L5')) DESC,
			c.waiting_since NULLS LAST, c.created_at
		LIMIT 200`, lanes, tenantID).Scan(&queue).Error; err != nil {
		return 0, err
	}
	assigned := 0
	for _, w := range queue {
		best := pickAgent(agents, w)
		if best < 0 {
			continue
		}
		a, err := s.take(ctx, tx, w, agents[best], "auto", AssignNotice{})
		if err != nil {
			return assigned, err
		} else if a == nil {
			continue
		}
		agents[best].Load++
		assigned++
	}
	return assigned, nil
}

// LockAssignment serialises the workspace's assignment passes, agent
// status changes and SLA reassignments for the rest of the transaction.
// One lock, always taken first, cannot deadlock. The lock goes out with
// the transaction's next statement (see postgres.Defer), which runs once
// it is held, with a snapshot of its own: it costs no round trip, and
// taking it again in the same transaction costs none either.
func LockAssignment(ctx context.Context, tx *gorm.DB) error {
	postgres.Defer(ctx, tx, nil, `SELECT pg_advisory_xact_lock(hashtextextended('assign:' || ?, 0))`, deskpool.TenantIDFromContext(ctx).String())
	return nil
}

// pickAgent returns the index of the best agent for w, or -1. With the
// VIP lanes, the customer's account manager comes first, then gold
// agents for VIP and high-value customers, then the next best.
func pickAgent(agents []Candidate, w waiting) int {
	best, bestScore := -1, -1.0
	for i, a := range agents {
		if score, ok := fit(a, w); ok && score > bestScore {
			best, bestScore = i, score
		}
	}
	return best
}

// rankAgents returns the indexes of the agents with room for w, best
// first (as pickAgent chooses; equal scores in the agents' order).
func rankAgents(agents []Candidate, w waiting) []int {
	var order []int
	scores := make([]float64, len(agents))
	for i, a := range agents {
		if score, ok := fit(a, w); ok {
			order = append(order, i)
			scores[i] = score
		}
	}
	sort.SliceStable(order, func(x, y int) bool { return scores[order[x]] > scores[order[y]] })
	return order
}

// fit scores agent a for w; false when a has no room for it or lacks the
// seniority its level needs.
func fit(a Candidate, w waiting) (float64, bool) {
	valued := w.VIP || w.HighValue
	needSenior := valued || w.Level == "L4" || w.Level == "L5"
	if a.Load >= a.Capacity {
		return 0, false
	}
	if (w.Level == "L4" || w.Level == "L5") && !a.Senior && !(valued && a.Gold) {
		return 0, false
	}
	score := 0.0
	if w.AccountManagerID != nil && *w.AccountManagerID == a.UserID {
		score += 64
	}
	if valued && a.Gold {
		score += 16
	}
	if needSenior && a.Senior {
		score += 8
	}
	score += match(a.Languages, w.Language) * 4
	score += match(a.Channels, w.Channel) * 2
	score += match(a.Categories, w.Intent) * 2
	score += 1 - float64(a.Load)/float64(max(a.Capacity, 1))
	return score, true
}

// match is 1 when the agent lists the skill, 0.5 when they list none of
// that kind (generalist), and 0 when they list others.
func match(skills []string, want string) float64 {
	switch {
	case len(skills) == 0 || want == "":
		return 0.5
	case slices.Contains(skills, want):
		return 1
	}
	return 0
}

// AssignWaiting runs one assignment pass for the workspace in ctx.
func (s *Service) AssignWaiting(ctx context.Context) (int, error) {
	var n int
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) (err error) {
		n, err = s.assignWaiting(ctx, tx)
		return err
	})
	return n, err
}

func (s *Service) handleAssign(ctx context.Context, t *asynq.Task) error {
	var p assignPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.TenantID == uuid.Nil {
		return fmt.Errorf("assign payload: %v: %w", err, asynq.SkipRetry)
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: p.TenantID})
	_, err := s.AssignWaiting(ctx)
	return err
}
