package knowledge

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// Config holds the knowledge service's workspace-independent settings.
type Config struct {
	StatsWindow   time.Duration // per-scenario human share is measured over this window
	FlagShare     float64       // a scenario people step into more often than this is flagged
	ShareCacheTTL time.Duration // how long a workspace's AI-resolved share is reused
	ShipWithin    time.Duration // promised shipping time of orders that state none
	StallAfter    time.Duration // tracking without news this long is stalled
}

// DefaultConfig returns the defaults: shares over 30 days, flag above 30%,
// AI-resolved share recomputed every 30 seconds; orders ship within 72 hours
// unless they promise otherwise, and tracking without news for 72 hours is
// stalled (as the inventory's proactive notices count them).
func DefaultConfig() Config {
	return Config{StatsWindow: 30 * 24 * time.Hour, FlagShare: 0.30, ShareCacheTTL: 30 * time.Second,
		ShipWithin: 72 * time.Hour, StallAfter: 72 * time.Hour}
}

// Service manages knowledge scenarios and answers with them.
type Service struct {
	db         *gorm.DB
	cfg        Config
	seeded     sync.Map // tenant id -> true once its defaults exist
	shares     sync.Map // tenant id -> cachedShare
	workspaces *tenant.Cache[workspaceKnowledge]
}

// NewService returns the knowledge service on the application role's db.
func NewService(db *gorm.DB, cfg Config) *Service {
	def := DefaultConfig()
	if cfg.ShipWithin <= 0 {
		cfg.ShipWithin = def.ShipWithin
	}
	if cfg.StallAfter <= 0 {
		cfg.StallAfter = def.StallAfter
	}
	return &Service{db: db, cfg: cfg}
}

// FindScenarios lists the workspace's scenarios, newest first, with their
// human share; the default scenarios are created on first use.
func (s *Service) FindScenarios(ctx context.Context, cur deskpool.Cursor, limit int) ([]Scenario, error) {
	var out []Scenario
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		if err := s.ensureDefaults(ctx, tx); err != nil {
			return err
		}
		tenantID := deskpool.TenantIDFromContext(ctx)
		q := tx.Table("knowledge_scenarios").Select(scenarioColumns).Where("tenant_id = ?", tenantID)
		var rows []scenarioRow
		if err := postgres.NewestFirst(q, "created_at", cur, limit).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, r.scenario())
		}
		return s.fillStats(ctx, tx, out)
	})
	return out, err
}

// FindScenario returns one scenario with its human share.
func (s *Service) FindScenario(ctx context.Context, id uuid.UUID) (*Scenario, error) {
	var out *Scenario
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		sc, err := findScenario(tx, deskpool.TenantIDFromContext(ctx), id, false)
		if err != nil {
			return err
		}
		list := []Scenario{*sc}
		if err := s.fillStats(ctx, tx, list); err != nil {
			return err
		}
		out = &list[0]
		return nil
	})
	return out, err
}

func findScenario(tx *gorm.DB, tenantID, id uuid.UUID, lock bool) (*Scenario, error) {
	q := `SELECT ` + scenarioColumns + ` FROM knowledge_scenarios WHERE tenant_id = ? AND id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var rows []scenarioRow
	if err := tx.Raw(q, tenantID, id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "No scenario with id %s.", id)
	}
	sc := rows[0].scenario()
	return &sc, nil
}

// CreateScenario adds a scenario; a name already in use is a conflict.
func (s *Service) CreateScenario(ctx context.Context, in Input) (*Scenario, error) {
	if err := in.Validate(true); err != nil {
		return nil, err
	}
	sc := Scenario{Enabled: true, Collect: []string{}}
	in.apply(&sc)
	var out *Scenario
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		if err := s.ensureDefaults(ctx, tx); err != nil {
			return err
		}
		tenantID := deskpool.TenantIDFromContext(ctx)
		sc.ID = deskpool.NewID()
		if err := s.write(tx, tenantID, &sc, true); err != nil {
			return err
		}
		s.Changed(ctx)
		var err error
		out, err = findScenario(tx, tenantID, sc.ID, false)
		return err
	})
	return out, err
}

// UpdateScenario changes the set fields of a scenario.
func (s *Service) UpdateScenario(ctx context.Context, id uuid.UUID, in Input) (*Scenario, error) {
	if err := in.Validate(false); err != nil {
		return nil, err
	}
	var out *Scenario
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		sc, err := findScenario(tx, tenantID, id, true)
		if err != nil {
			return err
		}
		in.apply(sc)
		if err := s.write(tx, tenantID, sc, false); err != nil {
			return err
		}
		s.Changed(ctx)
		if out, err = findScenario(tx, tenantID, id, false); err != nil {
			return err
		}
		list := []Scenario{*out}
		err = s.fillStats(ctx, tx, list)
		out = &list[0]
		return err
	})
	return out, err
}

// DeleteScenario removes a scenario and its answer records.
func (s *Service) DeleteScenario(ctx context.Context, id uuid.UUID) error {
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Exec(`DELETE FROM knowledge_scenarios WHERE tenant_id = ? AND id = ?`, deskpool.TenantIDFromContext(ctx), id)
		if res.Error == nil && res.RowsAffected == 0 {
			return deskpool.Errorf(deskpool.ENOTFOUND, "No scenario with id %s.", id)
		}
		s.Changed(ctx)
		return res.Error
	})
}

// write inserts or updates a scenario's stored fields.
func (s *Service) write(tx *gorm.DB, tenantID uuid.UUID, sc *Scenario, create bool) error {
	cond, _ := json.Marshal(sc.Conditions)
	replies, _ := json.Marshal(sc.Replies)
	args := []any{sc.Name, sc.Intent, pq.StringArray(orEmpty(sc.Triggers.ZH)), pq.StringArray(orEmpty(sc.Triggers.EN)),
		string(cond), string(replies), pq.StringArray(orEmpty(sc.Collect)), sc.Priority, sc.Enabled}
	var err error
	if create {
		err = tx.Exec(`INSERT INTO knowledge_scenarios (tenant_id, id, name, intent, triggers_zh, triggers_en, conditions, replies, collect, priority, enabled)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append([]any{tenantID, sc.ID}, args...)...).Error
	} else {
		err = tx.Exec(`UPDATE knowledge_scenarios SET name = ?, intent = ?, triggers_zh = ?, triggers_en = ?, conditions = ?,
			replies = ?, collect = ?, priority = ?, enabled = ?, updated_at = now() WHERE tenant_id = ? AND id = ?`,
			append(args, tenantID, sc.ID)...).Error
	}
	if postgres.IsUniqueViolation(err) {
		return deskpool.Errorf(deskpool.ECONFLICT, "A scenario named %q already exists.", sc.Name)
	}
	return err
}
