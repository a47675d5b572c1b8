package knowledge

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// steppedIn is the SQL condition, on a conversation c, that people stepped
// in: it was handed to a person, or an agent wrote in it.
const steppedIn = `(c.route <> 'ai' OR EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = c.tenant_id
	AND m.conversation_id = c.id AND m.author_kind = 'agent'))`

// SteppedIn is the SQL condition, on a conversation aliased c, that people
// stepped in (the service metrics' human intervention).
const SteppedIn = steppedIn

// AIAnswered is the SQL condition, on a conversation aliased c, that the AI
// answered it with a knowledge scenario.
const AIAnswered = `EXISTS (SELECT 1 FROM knowledge_answers a WHERE a.tenant_id = c.tenant_id AND a.conversation_id = c.id)`

// AIResolved is the SQL condition, on a conversation aliased c, that the AI
// answered it with a knowledge scenario and no person stepped in: what the
// deflection guard counts against the workspace's ceiling.
const AIResolved = `(NOT ` + steppedIn + ` AND ` + AIAnswered + `)`

// fillStats sets each scenario's recent conversations, how many people
// stepped into, the share and the flag.
func (s *Service) fillStats(ctx context.Context, tx *gorm.DB, list []Scenario) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(list))
	for i, sc := range list {
		ids[i] = sc.ID
	}
	var rows []struct {
		ScenarioID    uuid.UUID
		Conversations int
		Human         int
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	if err := tx.Raw(`SELECT a.scenario_id, count(*) AS conversations, count(*) FILTER (WHERE `+steppedIn+`) AS human
		FROM knowledge_answers a JOIN conversations c ON c.tenant_id = a.tenant_id AND c.id = a.conversation_id
		WHERE a.tenant_id = ? AND a.scenario_id IN ? AND a.first_at > ? GROUP BY a.scenario_id`,
		tenantID, ids, time.Now().Add(-s.cfg.StatsWindow)).Scan(&rows).Error; err != nil {
		return err
	}
	days := int(s.cfg.StatsWindow / (24 * time.Hour))
	for i := range list {
		list[i].Stats = Stats{WindowDays: days}
		for _, r := range rows {
			if r.ScenarioID == list[i].ID {
				list[i].Stats.Conversations, list[i].Stats.Human = r.Conversations, r.Human
				list[i].HumanShare = float64(r.Human) / float64(r.Conversations)
				list[i].Flagged = list[i].HumanShare > s.cfg.FlagShare
			}
		}
	}
	return nil
}

// Share is the AI-resolved share of a workspace's recent conversations.
type Share struct {
	Conversations int     `json:"conversations"`
	AIResolved    int     `json:"ai_resolved"`
	Share         float64 `json:"share"`
	WindowDays    int     `json:"window_days"`
}

type cachedShare struct {
	share Share
	at    time.Time
}

// aiShare returns the share of the workspace's conversations of the last
// days that the AI answered with no person stepping in; it is reused for
// the cache TTL so that ingest does not count on every message.
func (s *Service) aiShare(tx *gorm.DB, tenantID uuid.UUID, days int) (Share, error) {
	if c, ok := s.shares.Load(tenantID); ok {
		cs := c.(cachedShare)
		if time.Since(cs.at) < s.cfg.ShareCacheTTL && cs.share.WindowDays == days {
			return cs.share, nil
		}
	}
	sh := Share{WindowDays: days}
	err := tx.Raw(`SELECT count(*) AS conversations, count(*) FILTER (WHERE `+AIResolved+`) AS ai_resolved
		FROM conversations c WHERE c.tenant_id = ? AND c.created_at > ?`, tenantID, time.Now().AddDate(0, 0, -days)).
		Row().Scan(&sh.Conversations, &sh.AIResolved)
	if err != nil {
		return sh, err
	}
	if sh.Conversations > 0 {
		sh.Share = float64(sh.AIResolved) / float64(sh.Conversations)
	}
	s.shares.Store(tenantID, cachedShare{share: sh, at: time.Now()})
	return sh, nil
}

// AIShare returns the workspace's current AI-resolved share, uncached.
func (s *Service) AIShare(ctx context.Context, tx *gorm.DB, days int) (Share, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	s.shares.Delete(tenantID)
	return s.aiShare(tx, tenantID, days)
}
