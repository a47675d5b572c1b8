package helpdesk

import (
	"context"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// workspaceFacts is what every message's ingest needs to know of its
// workspace: the enabled webhook subscriptions, whether an agent is
// online, and its country (the region of phone numbers).
type workspaceFacts struct {
	hooks   []subscription
	online  bool
	country string
}

type subscription struct {
	id     uuid.UUID
	events []string
}

// subscribers returns the subscriptions to eventType.
func (f workspaceFacts) subscribers(eventType string) []uuid.UUID {
	var ids []uuid.UUID
	for _, h := range f.hooks {
		if subscribesTo(h.events, eventType) {
			ids = append(ids, h.id)
		}
	}
	return ids
}

// UseWorkspaceCache keeps the workspace facts each ingest needs in this
// process, in step with the database through t's change listener, instead
// of reading them with every message; call it while wiring, with the
// Service whose ListenForChanges runs.
func (s *Service) UseWorkspaceCache(t *tenant.Service) {
	s.facts = tenant.NewCache[workspaceFacts](t)
	if w, ok := s.events.(*Webhooks); ok {
		w.facts = s.facts
	}
}

// factsQuery reads the workspace's facts into f, in the caller's pipeline
// (in a tenant transaction).
func factsQuery(tenantID uuid.UUID, f *workspaceFacts) *postgres.Query {
	q := postgres.NewQuery(`SELECT ARRAY(SELECT id::text || ' ' || array_to_string(events, ' ') FROM webhooks
			WHERE tenant_id = $1 AND enabled ORDER BY id),
		EXISTS (SELECT 1 FROM agent_profiles WHERE tenant_id = $1 AND status = 'online'),
		(SELECT country FROM tenants WHERE id = $1)`, tenantID)
	q.Row(func(row postgres.Row) error {
		var hooks []string
		if err := row.Scan(&hooks, &f.online, &f.country); err != nil {
			return err
		}
		f.hooks = make([]subscription, 0, len(hooks))
		for _, h := range hooks {
			fields := strings.Fields(h)
			id, err := uuid.Parse(fields[0])
			if err != nil {
				return err
			}
			f.hooks = append(f.hooks, subscription{id: id, events: fields[1:]})
		}
		return nil
	})
	return q
}

// phoneRegion returns the workspace's country, in which phone numbers
// without a country code are read: from the facts cache, or read in the
// tenant transaction in ctx.
func (s *Service) phoneRegion(ctx context.Context) (string, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	if f, _, ok := s.facts.Get(tenantID); ok && f.country != "" {
		return f.country, nil
	}
	var region string
	err := postgres.Join(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		region, err = tenant.WorkspaceCountry(tx, tenantID)
		return err
	})
	return region, err
}
