package ai

import (
	"context"
	"strconv"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/learning"
	"github.com/deskpool/deskpool/triage/settings"
	"gorm.io/gorm"
)

// BuiltIn is the embedded classifier and its score on the blind held-out set.
type BuiltIn struct {
	Version string       `json:"version"`
	Holdout triage.Score `json:"holdout"`
}

// ModelInfo tells which triage model a workspace uses and how each layer
// scored on held-out data when it was trained.
type ModelInfo struct {
	InUse       string                   `json:"in_use"` // the layers, e.g. "zh-en-logreg-…+pool-…+ws-…"
	BuiltIn     BuiltIn                  `json:"built_in"`
	Pooled      *learning.PooledModel    `json:"pooled"`
	Workspace   *learning.WorkspaceModel `json:"workspace"`
	Corrections int                      `json:"corrections"`
	PoolOptIn   bool                     `json:"pool_opt_in"`
}

// Model returns the model in use for the workspace in ctx.
func (s *Services) Model(ctx context.Context) (*ModelInfo, error) {
	s.baseOnce.Do(func() { s.baseScore = s.base.Evaluate(nil, triage.HeldOut()) })
	m := &ModelInfo{BuiltIn: BuiltIn{Version: s.base.Version(), Holdout: s.baseScore}}
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		if m.Pooled, err = learning.CurrentPooledModel(tx); err != nil {
			return err
		}
		if m.Workspace, err = s.Learning.CurrentWorkspaceModel(ctx, tx); err != nil {
			return err
		}
		set, err := settings.Load(ctx, tx)
		if err != nil {
			return err
		}
		m.PoolOptIn = set.PoolOptIn
		return tx.Raw(`SELECT count(*) FROM triage_corrections WHERE tenant_id = ?`, deskpool.TenantIDFromContext(ctx)).Scan(&m.Corrections).Error
	})
	if err != nil {
		return nil, err
	}
	layers := []string{m.BuiltIn.Version}
	if m.Pooled != nil {
		layers = append(layers, m.Pooled.Version)
	}
	if m.Workspace != nil {
		layers = append(layers, "ws-"+strconv.Itoa(m.Workspace.Version))
	}
	m.InUse = strings.Join(layers, "+")
	return m, nil
}
