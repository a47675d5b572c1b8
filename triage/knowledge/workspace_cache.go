package knowledge

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/deskpool/deskpool/triage/settings"
	"gorm.io/gorm"
)

// workspaceKnowledge is what answering a message needs of its workspace
// besides the message and the shop's data: the AI settings and the
// enabled scenarios, best first. Held in a cache and shared, it is never
// changed.
type workspaceKnowledge struct {
	settings  settings.Settings
	scenarios []Scenario
}

// UseWorkspaceCache keeps each workspace's AI settings and enabled
// scenarios in this process, in step with the database through t's change
// listener (a committed change to either is announced; see migration
// 00026), instead of reading them with every message the AI answers. Call
// it while wiring, with the Service whose ListenForChanges runs.
func (s *Service) UseWorkspaceCache(t *tenant.Service) {
	s.workspaces = tenant.NewCache[workspaceKnowledge](t)
}

// Changed drops what this process cached of the workspace in ctx once the
// transaction in ctx commits; other processes hear of the change from the
// database. Call it after changing the workspace's AI settings.
func (s *Service) Changed(ctx context.Context) {
	s.workspaces.Changed(ctx, deskpool.TenantIDFromContext(ctx))
}

// workspace returns the settings and enabled scenarios of the workspace in
// ctx: from the cache when it holds them, else read in one round trip
// (after seeding the default scenarios, the first time) and cached once tx
// commits, so that what a rolled-back transaction saw is never kept.
func (s *Service) workspace(ctx context.Context, tx *gorm.DB) (workspaceKnowledge, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	wk, epoch, ok := s.workspaces.Get(tenantID)
	if ok {
		return wk, nil
	}
	if err := s.ensureDefaults(ctx, tx); err != nil {
		return wk, err
	}
	wk.settings = settings.Defaults()
	if err := postgres.Batch(ctx, tx, settings.Query(ctx, &wk.settings), scenariosQuery(ctx, &wk.scenarios)); err != nil {
		return wk, err
	}
	s.workspaces.Put(ctx, epoch, tenantID, wk)
	return wk, nil
}

// scenariosQuery reads the enabled scenarios of the workspace in ctx, best
// first, into list.
func scenariosQuery(ctx context.Context, list *[]Scenario) *postgres.Query {
	return postgres.NewQuery(`SELECT `+scenarioColumns+` FROM knowledge_scenarios WHERE tenant_id = $1 AND enabled
		ORDER BY priority DESC, created_at, id`, deskpool.TenantIDFromContext(ctx)).Rows(func(rows postgres.Rows) error {
		for rows.Next() {
			var r scenarioRow
			var zh, en, collect []string
			if err := rows.Scan(&r.ID, &r.Key, &r.Name, &r.Intent, &zh, &en, &r.Conditions, &r.Replies, &collect,
				&r.Priority, &r.Enabled, &r.CreatedAt, &r.UpdatedAt); err != nil {
				return err
			}
			r.TriggersZH, r.TriggersEN, r.Collect = zh, en, collect
			*list = append(*list, r.scenario())
		}
		return rows.Err()
	})
}
