package alliance

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// PoolFigures are the pool's speed and quality over a set of pooled
// conversations.
type PoolFigures struct {
	Pooled         int      `json:"pooled" gorm:"column:pooled"`                   // conversations offered to the pool
	Answered       int      `json:"answered" gorm:"column:answered"`               // of them, answered by a pool agent
	FRTSeconds     *float64 `json:"frt_seconds" gorm:"column:frt_seconds"`         // mean time from pooling to the first pool reply
	ResolutionRate *float64 `json:"resolution_rate" gorm:"column:resolution_rate"` // resolved or closed, of those pooled
	CSAT           *float64 `json:"csat" gorm:"column:csat"`                       // mean CSAT score (1-5) of those pooled
	SLABreaches    int      `json:"sla_breaches" gorm:"column:sla_breaches"`       // SLA breaches of those pooled
}

// BrandFigures are the pool's figures for one member brand.
type BrandFigures struct {
	TenantID  uuid.UUID `json:"tenant_id"`
	BrandName string    `json:"brand_name"`
	PoolFigures
}

// AgentFigures are the pool's figures for one pool agent.
type AgentFigures struct {
	UserID uuid.UUID `json:"user_id"`
	PoolFigures
}

// Metrics are an alliance's pool figures for a period, per brand and per
// pool agent.
type Metrics struct {
	AllianceID uuid.UUID      `json:"alliance_id"`
	From       time.Time      `json:"from"`
	To         time.Time      `json:"to"`
	Total      PoolFigures    `json:"total"`
	Brands     []BrandFigures `json:"brands"`
	Agents     []AgentFigures `json:"agents"`
}

// figures aggregates the pooled conversations of the alliance ? in the
// period [?, ?), grouped by the column named in its select list.
const figures = `SELECT %s count(*) AS pooled, count(u.conversation_id) AS answered,
		avg(extract(epoch FROM u.first_reply_at - p.pooled_at)) AS frt_seconds,
		avg(CASE WHEN c.status IN ('resolved', 'closed') THEN 1.0 ELSE 0.0 END) AS resolution_rate,
		avg(r.score) AS csat,
		coalesce(sum((SELECT count(*) FROM sla_breaches b WHERE b.tenant_id = p.tenant_id AND b.conversation_id = p.conversation_id
			AND b.breached_at >= p.pooled_at)), 0) AS sla_breaches
	FROM pool_conversations p
	JOIN conversations c ON c.tenant_id = p.tenant_id AND c.id = p.conversation_id
	JOIN tenants t ON t.id = p.tenant_id
	LEFT JOIN pool_usage u ON u.tenant_id = p.tenant_id AND u.conversation_id = p.conversation_id AND u.alliance_id = p.alliance_id
	LEFT JOIN csat_responses r ON r.tenant_id = p.tenant_id AND r.conversation_id = p.conversation_id
	WHERE p.alliance_id = ? AND p.pooled_at >= ? AND p.pooled_at < ? %s`

// FindMetrics returns the alliance id's pool figures for [from, to) (zero
// from: 30 days before to; zero to: now), in total, per brand and per
// pool agent; the caller must administer the alliance.
func (s *Service) FindMetrics(ctx context.Context, id uuid.UUID, from, to time.Time) (*Metrics, error) {
	from, to, err := s.period(from, to)
	if err != nil {
		return nil, err
	}
	m := Metrics{AllianceID: id, From: from.UTC(), To: to.UTC(), Brands: []BrandFigures{}, Agents: []AgentFigures{}}
	err = s.platform(ctx, "alliance_metrics", func(ctx context.Context, tx *gorm.DB) error {
		if err := requireAdmin(ctx, tx, id); err != nil {
			return err
		}
		if err := tx.Raw(sprintf(figures, "", ""), id, from, to).Scan(&m.Total).Error; err != nil {
			return err
		}
		if err := tx.Raw(sprintf(figures, "p.tenant_id, t.name AS brand_name,", "GROUP BY p.tenant_id, t.name ORDER BY t.name, p.tenant_id"),
			id, from, to).Scan(&m.Brands).Error; err != nil {
			return err
		}
		return tx.Raw(sprintf(figures, "p.agent_id AS user_id,", "AND p.agent_id IS NOT NULL GROUP BY p.agent_id ORDER BY p.agent_id"),
			id, from, to).Scan(&m.Agents).Error
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}
