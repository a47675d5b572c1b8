// Package alliance owns alliances of brands and their shared agent pools:
// brands' membership with explicit consent, pool agents, overflow rules,
// routing a brand's conversation to the pool through the helpdesk's one
// assignment path, the pool agents' masked and audited view, and pool
// usage metering.
package alliance

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Entitlements answers whether a workspace's plan includes alliance
// overflow; billing implements it.
type Entitlements interface {
	CheckAllianceOverflow(ctx context.Context) error
}

// Service is the alliance domain.
type Service struct {
	db       *gorm.DB // application role
	sysdb    *gorm.DB // system role: the pool's cross-brand reads, through postgres.System
	helpdesk *helpdesk.Service
	plans    Entitlements     // nil: every plan may overflow
	events   helpdesk.Emitter // the brand's webhooks; nil: none
	outbox   *jobs.Outbox     // follow-up tasks (TaskRoute); nil: none
	hours    Hours            // the brand's business hours; nil: always open
	// overflowOn caches whether a workspace may overflow at all (see
	// UseWorkspaceCache); nil: always read the rules.
	overflowOn *tenant.Cache[bool]
	now        func() time.Time
}

// NewService returns the alliance service.
func NewService(db, sysdb *gorm.DB, hd *helpdesk.Service) *Service {
	return &Service{db: db, sysdb: sysdb, helpdesk: hd, now: func() time.Time { return time.Now().UTC() }}
}

// UseEntitlements sets who answers whether a brand's plan includes
// overflow (billing); call it while wiring.
func (s *Service) UseEntitlements(e Entitlements) { s.plans = e }

// Hours answers whether the brand in ctx is within its business hours at
// an instant, inside its transaction; sla implements it.
type Hours interface {
	Open(ctx context.Context, tx *gorm.DB, at time.Time) (bool, error)
}

// UseHours sets who answers the brands' business hours (sla); call it
// while wiring. Without it no rule offers outside business hours.
func (s *Service) UseHours(h Hours) { s.hours = h }

// UseEvents sets where the brand's conversation.pooled and
// conversation.unpooled webhooks go; call it while wiring.
func (s *Service) UseEvents(e helpdesk.Emitter) { s.events = e }

// subscribedEmitter is an Emitter that tells who listens to an event
// before its payload is built (helpdesk.Webhooks).
type subscribedEmitter interface {
	Subscribers(ctx context.Context, tx *gorm.DB, eventType string) ([]uuid.UUID, error)
	EmitTo(ctx context.Context, tx *gorm.DB, eventType string, hooks []uuid.UUID, data any) error
}

// emit sends the brand a webhook of its conversation id, whole (the
// brand's own data, as its other webhooks carry), inside tx. The
// conversation is read only when the brand listens to eventType.
func (s *Service) emit(ctx context.Context, tx *gorm.DB, eventType string, id, allianceID uuid.UUID, reason string) error {
	if s.events == nil {
		return nil
	}
	send := func(data any) error { return s.events.Emit(ctx, tx, eventType, data) }
	if e, ok := s.events.(subscribedEmitter); ok {
		hooks, err := e.Subscribers(ctx, tx, eventType)
		if err != nil || len(hooks) == 0 {
			return err
		}
		send = func(data any) error { return e.EmitTo(ctx, tx, eventType, hooks, data) }
	}
	c, err := s.helpdesk.Conversation(ctx, id)
	if err != nil {
		return err
	}
	return send(map[string]any{"conversation": c, "alliance_id": allianceID, "reason": reason})
}

// Alliance is a group of brands sharing a pool of agents.
type Alliance struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	CreatedBy uuid.UUID `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// NewAlliance is the input of CreateAlliance.
type NewAlliance struct {
	Name string `json:"name"`
}

// CreateAlliance creates an alliance whose admin is the signed-in user in
// ctx.
func (s *Service) CreateAlliance(ctx context.Context, in NewAlliance) (*Alliance, error) {
	in.Name = strings.TrimSpace(in.Name)
	var v deskpool.Validator
	v.Check(in.Name != "", "name", "must not be empty")
	v.Check(len(in.Name) <= 200, "name", "must be at most 200 bytes")
	if m := deskpool.NameProblem(in.Name); in.Name != "" && m != "" {
		v.Add("name", m)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	user := userOf(ctx)
	if user == uuid.Nil {
		return nil, deskpool.Errorf(deskpool.EFORBIDDEN, "Only a signed-in person can create an alliance.")
	}
	a := Alliance{ID: deskpool.NewID(), Name: in.Name, CreatedBy: user, CreatedAt: s.now()}
	err := s.platform(ctx, "alliance_create", func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO alliances (id, name, created_by, created_at) VALUES (?, ?, ?, ?)`,
			a.ID, a.Name, a.CreatedBy, a.CreatedAt).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO alliance_staff (alliance_id, user_id, role) VALUES (?, ?, ?)`,
			a.ID, user, tenant.RoleAllianceAdmin).Error; err != nil {
			return err
		}
		return auditAlliance(ctx, tx, a.ID, "alliance.created", uuid.Nil, "", map[string]any{"name": a.Name})
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// userOf is the signed-in person of ctx (uuid.Nil for keys and system work).
func userOf(ctx context.Context) uuid.UUID {
	a, _ := deskpool.ActorFromContext(ctx)
	return a.UserID
}

// platform runs fn on the audited system path: alliance tables are the
// platform's, and the pool reads across brands only here.
func (s *Service) platform(ctx context.Context, reason string, fn func(ctx context.Context, tx *gorm.DB) error) error {
	return postgres.System(ctx, s.sysdb, reason, fn)
}

// brand runs fn in the tenant transaction of the brand tenantID, acting as
// the person in ctx, so row-level security applies to what fn reads.
func (s *Service) brand(ctx context.Context, tenantID uuid.UUID, fn func(ctx context.Context, tx *gorm.DB) error) error {
	a, _ := deskpool.ActorFromContext(ctx)
	a.TenantID = tenantID
	return postgres.Tx(deskpool.NewContextWithActor(ctx, a), s.db, fn)
}

// roleIn returns the roles of the user in the alliance id, read in tx;
// ENOTFOUND when the alliance does not exist or the user holds none of
// them, so an outsider cannot tell whether it exists.
func roleIn(tx *gorm.DB, id, user uuid.UUID) ([]string, error) {
	var roles []string
	if err := tx.Raw(`SELECT role FROM alliance_staff WHERE alliance_id = ? AND user_id = ?`, id, user).Scan(&roles).Error; err != nil {
		return nil, err
	}
	if len(roles) == 0 {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "Alliance not found.")
	}
	return roles, nil
}

// requireAdmin fails with ENOTFOUND unless the user in ctx administers the
// alliance id.
func requireAdmin(ctx context.Context, tx *gorm.DB, id uuid.UUID) error {
	roles, err := roleIn(tx, id, userOf(ctx))
	if err != nil {
		return err
	}
	for _, r := range roles {
		if r == tenant.RoleAllianceAdmin {
			return nil
		}
	}
	return deskpool.Errorf(deskpool.EFORBIDDEN, "This needs the alliance_admin role of the alliance.")
}

// auditAlliance records an action in the alliance's own audit log, by the
// person in ctx, about the brand tenantID (uuid.Nil: the alliance itself),
// with the transaction's next round trip (see postgres.Defer; on the
// system path at once).
func auditAlliance(ctx context.Context, tx *gorm.DB, id uuid.UUID, action string, tenantID uuid.UUID, target string, details map[string]any) error {
	raw, err := json.Marshal(details)
	if err != nil {
		return err
	}
	var brand *uuid.UUID
	if tenantID != uuid.Nil {
		brand = &tenantID
	}
	var actor *uuid.UUID
	if u := userOf(ctx); u != uuid.Nil {
		actor = &u
	}
	postgres.Defer(ctx, tx, nil, `INSERT INTO alliance_audit (alliance_id, id, actor_id, action, brand_id, target_id, details)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, deskpool.NewID(), actor, action, brand, target, string(raw))
	return nil
}
