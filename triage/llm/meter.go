package llm

import (
	"context"
	"slices"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/triage/settings"
	"gorm.io/gorm"
)

// Purposes of a call, as metered.
const (
	PurposeTriage = "triage"
	PurposeDraft  = "draft"
)

// Enabled reports whether the workspace in ctx may use the provider: the
// operator configured one, the workspace's plan includes it, and the
// workspace turned it on.
func (p *Provider) Enabled(ctx context.Context, tx *gorm.DB) (bool, error) {
	if p == nil {
		return false, nil
	}
	set, err := settings.Load(ctx, tx)
	if err != nil || !set.LLMEnabled {
		return false, err
	}
	if len(p.cfg.Plans) == 0 {
		return true, nil
	}
	plan, err := p.tenants.Plan(ctx, tx)
	return slices.Contains(p.cfg.Plans, plan), err
}

// Available reports whether a provider is configured and its circuit is closed.
func (p *Provider) Available() bool { return p != nil && !circuitOpen(p.breaker) }

// meter records one call for the workspace in ctx, inside tx.
func meter(ctx context.Context, tx *gorm.DB, purpose string, ok bool, u Usage, took time.Duration) error {
	return tx.Exec(`INSERT INTO llm_usage (tenant_id, id, purpose, ok, prompt_tokens, completion_tokens, latency_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, deskpool.TenantIDFromContext(ctx), deskpool.NewID(), purpose, ok,
		u.PromptTokens, u.CompletionTokens, took.Milliseconds()).Error
}

// UsageSummary is a workspace's metered use of the provider over a window.
type UsageSummary struct {
	Since            time.Time `json:"since"`
	Calls            int       `json:"calls"`
	Failures         int       `json:"failures"`
	PromptTokens     int64     `json:"prompt_tokens"`
	CompletionTokens int64     `json:"completion_tokens"`
}

// UsageSince sums the workspace's calls since a time.
func UsageSince(ctx context.Context, tx *gorm.DB, since time.Time) (UsageSummary, error) {
	u := UsageSummary{Since: since}
	err := tx.Raw(`SELECT count(*), count(*) FILTER (WHERE NOT ok), COALESCE(sum(prompt_tokens), 0), COALESCE(sum(completion_tokens), 0)
		FROM llm_usage WHERE tenant_id = ? AND created_at >= ?`, deskpool.TenantIDFromContext(ctx), since).
		Row().Scan(&u.Calls, &u.Failures, &u.PromptTokens, &u.CompletionTokens)
	return u, err
}
