package tenant

import (
	"context"
	"encoding/json"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// AuditEntry is one sensitive action recorded in a workspace's audit log.
type AuditEntry struct {
	ID         uuid.UUID       `json:"id"`
	At         time.Time       `json:"at"`
	ActorKind  string          `json:"actor_kind"`
	ActorID    *uuid.UUID      `json:"actor_id"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	IP         string          `json:"ip"`
	RequestID  string          `json:"request_id"`
	Details    json.RawMessage `json:"details"`
}

// Audit records an action by the actor in ctx, inside the transaction tx.
func Audit(ctx context.Context, tx *gorm.DB, action, targetType, targetID string, details map[string]any) error {
	sql, args, err := auditInsert(ctx, action, targetType, targetID, details)
	if err != nil {
		return err
	}
	return tx.Exec(sql, args...).Error
}

// DeferAudit is Audit with the transaction's next round trip (see
// postgres.Defer): for a path that records an action among other writes
// whose results it does not read. A failing insert fails the transaction.
func DeferAudit(ctx context.Context, tx *gorm.DB, action, targetType, targetID string, details map[string]any) error {
	sql, args, err := auditInsert(ctx, action, targetType, targetID, details)
	if err != nil {
		return err
	}
	postgres.Defer(ctx, tx, nil, sql, args...)
	return nil
}

// auditInsert is the statement that records an action by the actor in ctx.
func auditInsert(ctx context.Context, action, targetType, targetID string, details map[string]any) (string, []any, error) {
	a, _ := deskpool.ActorFromContext(ctx)
	if details == nil {
		details = map[string]any{}
	}
	raw, err := json.Marshal(details)
	if err != nil {
		return "", nil, err
	}
	var actorID *uuid.UUID
	if id := a.ID(); id != uuid.Nil {
		actorID = &id
	}
	return `INSERT INTO audit_log (tenant_id, id, actor_kind, actor_id, action, target_type, target_id, ip, request_id, details)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, []any{a.TenantID, deskpool.NewID(), a.Kind(), actorID, action, targetType, targetID, a.IP,
			deskpool.RequestIDFromContext(ctx), string(raw)}, nil
}

// ListAudit returns up to limit entries older than the cursor, newest first.
func (s *Service) ListAudit(ctx context.Context, cur deskpool.Cursor, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Table("audit_log").Select("id, at, actor_kind, actor_id, action, target_type, target_id, ip, request_id, details").
			Where("tenant_id = ?", deskpool.TenantIDFromContext(ctx))
		return postgres.NewestFirst(q, "at", cur, limit).Scan(&out).Error
	})
	return out, err
}

// auditInEach records, with tx's next round trip, action on user userID
// in each of the workspaces tenants, as done by that person: for what
// happens to an account rather than in one workspace (a reset password,
// a confirmed email). details gives each workspace's details.
func auditInEach(ctx context.Context, tx *gorm.DB, tenants []uuid.UUID, userID uuid.UUID, action string, details func(tenantID uuid.UUID) map[string]any) error {
	for _, t := range tenants {
		actx := deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: t, UserID: userID, IP: actorIP(ctx)})
		if err := DeferAudit(actx, tx, action, "user", userID.String(), details(t)); err != nil {
			return err
		}
	}
	return nil
}
