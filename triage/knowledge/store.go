package knowledge

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

const scenarioColumns = `id, key, name, intent, triggers_zh, triggers_en, conditions, replies, collect, priority, enabled, created_at, updated_at`

// scenarioRow is a stored scenario.
type scenarioRow struct {
	ID         uuid.UUID
	Key        *string
	Name       string
	Intent     string
	TriggersZH pq.StringArray `gorm:"column:triggers_zh;type:text[]"`
	TriggersEN pq.StringArray `gorm:"column:triggers_en;type:text[]"`
	Conditions []byte
	Replies    []byte
	Collect    pq.StringArray `gorm:"type:text[]"`
	Priority   int
	Enabled    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (r scenarioRow) scenario() Scenario {
	s := Scenario{ID: r.ID, Key: r.Key, Name: r.Name, Intent: r.Intent, Priority: r.Priority, Enabled: r.Enabled,
		Triggers: Triggers{ZH: orEmpty(r.TriggersZH), EN: orEmpty(r.TriggersEN)}, Collect: orEmpty(r.Collect),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Replies: map[string]string{}}
	_ = json.Unmarshal(r.Conditions, &s.Conditions)
	_ = json.Unmarshal(r.Replies, &s.Replies)
	return s
}

func orEmpty(a []string) []string {
	if a == nil {
		return []string{}
	}
	return a
}

// ensureDefaults seeds the default scenarios once per workspace: a
// workspace that deleted one does not get it back.
func (s *Service) ensureDefaults(ctx context.Context, tx *gorm.DB) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	if _, ok := s.seeded.Load(tenantID); ok {
		return nil
	}
	var seededAt []time.Time
	if err := tx.Raw(`SELECT scenarios_seeded_at FROM triage_settings WHERE tenant_id = ? AND scenarios_seeded_at IS NOT NULL`, tenantID).
		Scan(&seededAt).Error; err != nil {
		return err
	}
	if len(seededAt) == 0 {
		res := tx.Exec(`INSERT INTO triage_settings (tenant_id, scenarios_seeded_at) VALUES (?, now())
			ON CONFLICT (tenant_id) DO UPDATE SET scenarios_seeded_at = now() WHERE triage_settings.scenarios_seeded_at IS NULL`, tenantID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 { // this transaction seeds; a concurrent one waits on the row and skips
			for _, d := range Defaults() {
				if err := insertScenario(tx, tenantID, d); err != nil {
					return err
				}
			}
		}
	}
	// Remembered only once the defaults are committed: a rolled-back
	// transaction must leave the workspace to be seeded again.
	postgres.AfterCommit(ctx, func() { s.seeded.Store(tenantID, true) })
	return nil
}

func insertScenario(tx *gorm.DB, tenantID uuid.UUID, sc Scenario) error {
	cond, _ := json.Marshal(sc.Conditions)
	replies, _ := json.Marshal(sc.Replies)
	return tx.Exec(`INSERT INTO knowledge_scenarios (tenant_id, id, key, name, intent, triggers_zh, triggers_en, conditions, replies, collect, priority, enabled)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, tenantID, deskpool.NewID(), sc.Key, sc.Name, sc.Intent,
		pq.StringArray(orEmpty(sc.Triggers.ZH)), pq.StringArray(orEmpty(sc.Triggers.EN)), string(cond), string(replies),
		pq.StringArray(orEmpty(sc.Collect)), sc.Priority, true).Error
}

// apply copies the set fields of in onto sc.
func (in Input) apply(sc *Scenario) {
	if in.Name != nil {
		sc.Name = strings.TrimSpace(*in.Name)
	}
	if in.Intent != nil {
		sc.Intent = *in.Intent
	}
	if in.Triggers != nil {
		sc.Triggers = Triggers{ZH: trimAll(in.Triggers.ZH), EN: trimAll(in.Triggers.EN)}
	}
	if in.Conditions != nil {
		sc.Conditions = *in.Conditions
	}
	if in.Replies != nil {
		sc.Replies = in.Replies
	}
	if in.Collect != nil {
		sc.Collect = in.Collect
	}
	if in.Priority != nil {
		sc.Priority = *in.Priority
	}
	if in.Enabled != nil {
		sc.Enabled = *in.Enabled
	}
}

func trimAll(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		out = append(out, strings.TrimSpace(w))
	}
	return out
}
