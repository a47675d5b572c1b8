package learning

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/settings"
	"gorm.io/gorm"
)

// Holdout is how a model scored on examples it was not trained on, beside
// the model below it on the same examples.
type Holdout struct {
	N                  int     `json:"n"`
	BaseIntentAccuracy float64 `json:"base_intent_accuracy"`
	IntentAccuracy     float64 `json:"intent_accuracy"`
	BaseUrgency        float64 `json:"base_urgency_accuracy"`
	UrgencyAccuracy    float64 `json:"urgency_accuracy"`
}

// WorkspaceModel is one trained version of a workspace's adjustment.
type WorkspaceModel struct {
	Version       int       `json:"version"`
	Examples      int       `json:"examples"`
	PooledVersion string    `json:"pooled_version"`
	Holdout       Holdout   `json:"holdout"`
	Active        bool      `json:"active"`
	TrainedAt     time.Time `json:"trained_at"`
}

// RetrainWorkspace learns a new adjustment from the workspace's corrections
// on top of the active pooled model, scores it on its held-out corrections
// and stores it as the next version, active unless it scores worse than the
// pooled model alone. It also contributes the workspace's de-identified
// corrections to the pool when the workspace opted in, and withdraws them
// when it did not. Nothing happens when no correction is newer than the
// last version.
func (s *Service) RetrainWorkspace(ctx context.Context) (*WorkspaceModel, error) {
	var out *WorkspaceModel
	var pool []poolExample
	var optIn bool
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtext('triage:retrain:' || ?::text))`, tenantID.String()).Error; err != nil {
			return err
		}
		set, err := settings.Load(ctx, tx)
		if err != nil {
			return err
		}
		optIn = set.PoolOptIn
		cs, err := loadCorrections(ctx, tx, s.cfg.MaxExamples)
		if err != nil {
			return err
		}
		if optIn {
			pool = deidentified(cs)
		}
		// Latest is NULL when the workspace has no correction (then nothing
		// is fresh): '-infinity' is for the comparison only, since it has
		// no time.Time to scan into.
		var last struct {
			Version int
			Fresh   bool
			Latest  *time.Time
		}
		if err := tx.Raw(`SELECT COALESCE((SELECT max(version) FROM triage_adjustments WHERE tenant_id = @t), 0) AS version,
			(SELECT max(created_at) FROM triage_corrections WHERE tenant_id = @t) AS latest,
			COALESCE((SELECT max(created_at) FROM triage_corrections WHERE tenant_id = @t), '-infinity') >
			COALESCE((SELECT max(watermark) FROM triage_adjustments WHERE tenant_id = @t), '-infinity') AS fresh`,
			map[string]any{"t": tenantID}).Scan(&last).Error; err != nil {
			return err
		}
		if !last.Fresh || last.Latest == nil {
			return nil
		}
		if len(cs) == 0 { // corrections of erased or missing messages: note them as learned, nothing to train
			return tx.Exec(`INSERT INTO triage_adjustments (tenant_id, version, examples, watermark) VALUES (?, ?, 0, ?)`,
				tenantID, last.Version+1, last.Latest).Error
		}
		pooled, pooledVersion, err := s.activePooled(ctx)
		if err != nil {
			return err
		}
		prior := []*triage.Adjustment{}
		if pooled != nil {
			prior = append(prior, pooled)
		}
		train, hold := split(cs)
		m := &WorkspaceModel{Version: last.Version + 1, Examples: len(train), PooledVersion: pooledVersion, TrainedAt: time.Now().UTC()}
		adj, err := triage.TrainAdjustment(s.base, prior, train, triage.AdjustOptions{Seed: 1,
			Version: fmt.Sprintf("ws-%s-%d", tenantID.String()[:8], m.Version)})
		if err != nil {
			return err
		}
		baseScore, newScore := s.base.Evaluate(prior, hold), s.base.Evaluate(append(prior, adj), hold)
		m.Holdout = Holdout{N: len(hold), BaseIntentAccuracy: baseScore.IntentAccuracy, IntentAccuracy: newScore.IntentAccuracy,
			BaseUrgency: baseScore.UrgencyAccuracy, UrgencyAccuracy: newScore.UrgencyAccuracy}
		m.Active = len(train) >= s.cfg.MinExamples && (len(hold) == 0 || newScore.IntentAccuracy >= baseScore.IntentAccuracy)
		blob, err := adj.MarshalBinary()
		if err != nil {
			return err
		}
		hj, _ := json.Marshal(m.Holdout)
		if m.Active {
			if err := tx.Exec(`UPDATE triage_adjustments SET active = false WHERE tenant_id = ? AND active`, tenantID).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec(`INSERT INTO triage_adjustments (tenant_id, version, model, examples, watermark, pooled_version, holdout, active, trained_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, tenantID, m.Version, blob, m.Examples, last.Latest, pooledVersion, string(hj),
			m.Active, m.TrainedAt).Error; err != nil {
			return err
		}
		// Keep the last ten versions.
		out = m
		return tx.Exec(`DELETE FROM triage_adjustments WHERE tenant_id = ? AND version <= ? AND NOT active`, tenantID, m.Version-10).Error
	})
	if err != nil {
		return nil, err
	}
	if err := s.contribute(ctx, optIn, pool); err != nil {
		return nil, err
	}
	s.forgetWorkspace(deskpool.TenantIDFromContext(ctx).String())
	return out, nil
}

// CurrentWorkspaceModel returns the workspace's active version, or nil.
func (s *Service) CurrentWorkspaceModel(ctx context.Context, tx *gorm.DB) (*WorkspaceModel, error) {
	var rows []struct {
		Version       int
		Examples      int
		PooledVersion string
		Holdout       []byte
		Active        bool
		TrainedAt     time.Time
	}
	if err := tx.Raw(`SELECT version, examples, pooled_version, holdout, active, trained_at FROM triage_adjustments
		WHERE tenant_id = ? AND active ORDER BY version DESC LIMIT 1`, deskpool.TenantIDFromContext(ctx)).Scan(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	r := rows[0]
	m := &WorkspaceModel{Version: r.Version, Examples: r.Examples, PooledVersion: r.PooledVersion, Active: r.Active, TrainedAt: r.TrainedAt}
	_ = json.Unmarshal(r.Holdout, &m.Holdout)
	return m, nil
}
