package segments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// ExecutePayload names an approved grant to execute in the shop.
type ExecutePayload struct {
	TenantID       uuid.UUID `json:"tenant_id"`
	CompensationID uuid.UUID `json:"compensation_id"`
}

// ShopGrant is what the shop is asked to do for an approved grant.
type ShopGrant struct {
	ID          uuid.UUID // the grant's id: the shop's record carries it, so a retry finds what an earlier run did
	CustomerID  uuid.UUID
	Kind        string
	AmountMinor int64
	Currency    string
	Reason      string
}

// ErrUnsupported is what a ShopExecutor returns when the workspace's shop
// cannot execute the grant: it is left for manual fulfilment.
var ErrUnsupported = errors.New("the shop connector cannot execute this grant")

// ShopExecutor executes a grant in the workspace's shop, idempotently: a
// second call for the same grant finds the first's result and returns
// it. It returns the shop's reference (a refund id, a discount code).
type ShopExecutor interface {
	ExecuteGrant(ctx context.Context, g ShopGrant) (ref string, err error)
}

// permanent marks a shop refusal that retrying cannot change.
type permanent interface{ Permanent() bool }

func (s *Service) handleExecute(ctx context.Context, t *asynq.Task) error {
	var p ExecutePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.TenantID == uuid.Nil {
		return fmt.Errorf("execute payload: %v: %w", err, asynq.SkipRetry)
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: p.TenantID})
	return s.Execute(ctx, p.CompensationID)
}

// Execute carries out an approved grant in the shop when the plan
// includes it and the connector can; otherwise it is marked for manual
// fulfilment. A grant executed already is left alone, and the shop call
// itself is idempotent, so a retried job executes once.
func (s *Service) Execute(ctx context.Context, id uuid.UUID) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	var c Compensation
	if err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT `+compensationColumns+` FROM compensations WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&c).Error
	}); err != nil {
		return err
	}
	if c.ID == uuid.Nil || c.Status != StatusApproved || c.Execution != ExecPending {
		return nil
	}
	e, err := s.entitlements(ctx, tenantID)
	if err != nil {
		return err
	}
	state, ref, reason := ExecManual, "", ""
	if e.ShopCompensation && s.shops != nil {
		ref, err = s.shops.ExecuteGrant(ctx, ShopGrant{ID: c.ID, CustomerID: c.CustomerID, Kind: c.Kind,
			AmountMinor: c.AmountMinor, Currency: c.Currency, Reason: c.Reason})
		var perm permanent
		switch {
		case err == nil:
			state = ExecExecuted
		case errors.Is(err, ErrUnsupported):
		case errors.As(err, &perm) && perm.Permanent():
			state, reason = ExecFailed, err.Error()
		default:
			return err
		}
	} else if !e.ShopCompensation {
		reason = "the plan does not include compensation in the shop"
	}
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Exec(`UPDATE compensations SET execution = ?, execution_ref = ?, execution_error = ?,
			executed_at = CASE WHEN ? = 'executed' THEN now() END, updated_at = now()
			WHERE tenant_id = ? AND id = ? AND execution = 'pending'`, state, ref, reason, state, tenantID, id)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return tenant.Audit(ctx, tx, "compensation.executed", "compensation", id.String(),
			map[string]any{"execution": state, "ref": ref, "error": reason})
	})
}
