package learning

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/triage"
	"gorm.io/gorm"
)

// Triager returns the workspace-aware triage for helpdesk ingest: the
// built-in classifier with the active pooled adjustment and the
// workspace's own adjustment on top, and, for a workspace whose plan and
// settings allow it, the LLM provider's intent for messages the model is
// unsure of. The service rules run last and nothing learned or returned by
// the provider can lower the built-in hand-over.
func (s *Service) Triager() helpdesk.Triager {
	return helpdesk.TriagerFunc(s.triage)
}

func (s *Service) triage(ctx context.Context, in helpdesk.TriageInput) helpdesk.Triage {
	tctx := in.ClassifierContext()
	adj, versions := s.adjustments(ctx)
	r := s.base.ClassifyWith(in.Text, tctx, triage.Options{Adjust: adj})
	r.Reasons = append(r.Reasons, versions...)
	if s.llm != nil && r.Confidence < s.llm.LowConfidence() && r.Intent != "" && in.Text != "" {
		err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
			on, err := s.llm.Enabled(ctx, tx)
			if err != nil || !on {
				return err
			}
			intent, conf, ok := s.llm.ClassifyIntent(ctx, tx, in.Text)
			if !ok {
				r.Reasons = append(r.Reasons, "llm:fallback_built_in")
				return nil
			}
			r = s.base.ClassifyWith(in.Text, tctx, triage.Options{Adjust: adj, Intent: intent, IntentConfidence: conf})
			r.Reasons = append(append(r.Reasons, versions...), "llm:intent")
			return nil
		})
		if err != nil {
			s.log.WarnContext(ctx, "llm triage skipped", "err", err)
		}
	}
	return helpdesk.FromResult(r)
}

// adjustments returns the active pooled and workspace adjustments and
// reasons naming their versions; a failure to read them leaves the
// built-in classifier alone.
func (s *Service) adjustments(ctx context.Context) ([]*triage.Adjustment, []string) {
	var adj []*triage.Adjustment
	var names []string
	if p, v, err := s.activePooled(ctx); err != nil {
		s.log.WarnContext(ctx, "pooled triage model not loaded", "err", err)
	} else if p != nil {
		adj, names = append(adj, p), append(names, "model:pooled:"+v)
	}
	if w, v, err := s.workspaceAdj(ctx); err != nil {
		s.log.WarnContext(ctx, "workspace triage adjustment not loaded", "err", err)
	} else if w != nil {
		adj, names = append(adj, w), append(names, "model:workspace:"+v)
	}
	return adj, names
}

// activePooled returns the active pooled adjustment, cached for the TTL.
func (s *Service) activePooled(ctx context.Context) (*triage.Adjustment, string, error) {
	s.mu.Lock()
	c := s.pooled
	s.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < s.cfg.CacheTTL {
		return c.adj, c.version, nil
	}
	var rows []struct {
		Version string
		Model   []byte
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT version, model FROM triage_models WHERE active`).Scan(&rows).Error; err != nil {
		return nil, "", err
	}
	c = cachedAdj{at: time.Now()}
	if len(rows) == 1 {
		adj, err := triage.UnmarshalAdjustment(rows[0].Model)
		if err != nil {
			return nil, "", err
		}
		c.adj, c.version = adj, rows[0].Version
	}
	s.mu.Lock()
	s.pooled = c
	s.mu.Unlock()
	return c.adj, c.version, nil
}

// workspaceAdj returns the active adjustment of the workspace in ctx, cached for the TTL.
func (s *Service) workspaceAdj(ctx context.Context) (*triage.Adjustment, string, error) {
	key := deskpool.TenantIDFromContext(ctx).String()
	s.mu.Lock()
	c, ok := s.ws[key]
	s.mu.Unlock()
	if ok && time.Since(c.at) < s.cfg.CacheTTL {
		return c.adj, c.version, nil
	}
	c = cachedAdj{at: time.Now()}
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var rows []struct {
			Version int
			Model   []byte
		}
		if err := tx.Raw(`SELECT version, model FROM triage_adjustments WHERE tenant_id = ? AND active AND model IS NOT NULL
			ORDER BY version DESC LIMIT 1`, deskpool.TenantIDFromContext(ctx)).Scan(&rows).Error; err != nil || len(rows) == 0 {
			return err
		}
		adj, err := triage.UnmarshalAdjustment(rows[0].Model)
		if err != nil {
			return err
		}
		c.adj, c.version = adj, adj.Version()
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	if len(s.ws) > 10000 { // bound the cache: start over rather than grow without limit
		s.ws = map[string]cachedAdj{}
	}
	s.ws[key] = c
	s.mu.Unlock()
	return c.adj, c.version, nil
}

func (s *Service) forgetWorkspace(key string) {
	s.mu.Lock()
	delete(s.ws, key)
	s.mu.Unlock()
}
