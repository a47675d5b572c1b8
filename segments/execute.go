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
	// Target is where in the shop the grant goes (a refund's order), as
	// the executor's GrantTarget chose it for the first run and every
	// retry.
	Target string
}

// ErrUnsupported is what a ShopExecutor returns when the workspace's shop
// cannot execute the grant: it is left for manual fulfilment.
var ErrUnsupported = errors.New("the shop connector cannot execute this grant")

// ShopExecutor executes a grant in the workspace's shop, idempotently:
// GrantTarget chooses once where the grant goes (kept with the grant
// before the shop is asked), and ExecuteGrant, given that target, finds
// what an earlier call for the same grant made there or makes it. It
// returns the shop's reference (a refund id, a discount code).
type ShopExecutor interface {
	GrantTarget(ctx context.Context, g ShopGrant) (target string, err error)
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
// fulfilment. Where the grant goes in the shop is chosen once and kept
// before the shop is asked; the shop call runs with the grant's row
// locked, so concurrent runs take turns and the later one finds it done;
// and the shop call itself finds what an earlier run made at that
// target. So a retried job executes once, even when orders came in
// between.
func (s *Service) Execute(ctx context.Context, id uuid.UUID) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	c, err := s.pendingGrant(ctx, id)
	if err != nil || c == nil {
		return err
	}
	e, err := s.entitlements(ctx, tenantID)
	if err != nil {
		return err
	}
	g := ShopGrant{ID: c.ID, CustomerID: c.CustomerID, Kind: c.Kind, AmountMinor: c.AmountMinor, Currency: c.Currency,
		Reason: c.Reason, Target: c.ExecutionTarget}
	if !e.ShopCompensation || s.shops == nil {
		reason := ""
		if !e.ShopCompensation {
			reason = "the plan does not include compensation in the shop"
		}
		return s.finish(ctx, id, ExecManual, "", reason)
	}
	if g.Target == "" {
		target, err := s.shops.GrantTarget(ctx, g)
		if errors.Is(err, ErrUnsupported) {
			return s.finish(ctx, id, ExecManual, "", "")
		} else if err != nil {
			return err
		}
		if g.Target, err = s.keepTarget(ctx, id, target); err != nil || g.Target == "" {
			return err
		}
	}
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		if c, err := lockPending(ctx, tx, id); err != nil || c == nil {
			return err // done meanwhile by another run
		}
		state, ref, reason := ExecExecuted, "", ""
		ref, err := s.shops.ExecuteGrant(ctx, g)
		var perm permanent
		switch {
		case err == nil:
		case errors.Is(err, ErrUnsupported):
			state = ExecManual
		case errors.As(err, &perm) && perm.Permanent():
			state, reason = ExecFailed, err.Error()
		default:
			return err
		}
		return record(ctx, tx, id, state, ref, reason)
	})
}

// pendingGrant reads the grant when it is approved and waiting for its
// execution, or nil.
func (s *Service) pendingGrant(ctx context.Context, id uuid.UUID) (*Compensation, error) {
	var out *Compensation
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) (err error) {
		out, err = lockPending(ctx, tx, id)
		return err
	})
	return out, err
}

// lockPending reads and locks the grant in tx when it is approved and
// waiting for its execution, or returns nil.
func lockPending(ctx context.Context, tx *gorm.DB, id uuid.UUID) (*Compensation, error) {
	var c Compensation
	if err := tx.Raw(`SELECT `+compensationColumns+` FROM compensations WHERE tenant_id = ? AND id = ? FOR UPDATE`,
		deskpool.TenantIDFromContext(ctx), id).Scan(&c).Error; err != nil {
		return nil, err
	}
	if c.ID == uuid.Nil || c.Status != StatusApproved || c.Execution != ExecPending {
		return nil, nil
	}
	return &c, nil
}

// keepTarget stores where the grant goes in the shop unless a concurrent
// run stored it first, and returns the stored one ("" when the grant is
// no longer waiting).
func (s *Service) keepTarget(ctx context.Context, id uuid.UUID, target string) (string, error) {
	var kept string
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		c, err := lockPending(ctx, tx, id)
		if err != nil || c == nil {
			return err
		}
		if kept = c.ExecutionTarget; kept != "" {
			return nil
		}
		kept = target
		return tx.Exec(`UPDATE compensations SET execution_target = ?, updated_at = now() WHERE tenant_id = ? AND id = ?`,
			target, deskpool.TenantIDFromContext(ctx), id).Error
	})
	return kept, err
}

// finish records the outcome of a grant still waiting for its execution.
func (s *Service) finish(ctx context.Context, id uuid.UUID, state, ref, reason string) error {
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		return record(ctx, tx, id, state, ref, reason)
	})
}

// record stores the outcome of the execution of a grant still pending,
// audited.
func record(ctx context.Context, tx *gorm.DB, id uuid.UUID, state, ref, reason string) error {
	res := tx.Exec(`UPDATE compensations SET execution = ?, execution_ref = ?, execution_error = ?,
		executed_at = CASE WHEN ? = 'executed' THEN now() END, updated_at = now()
		WHERE tenant_id = ? AND id = ? AND execution = 'pending'`, state, ref, reason, state, deskpool.TenantIDFromContext(ctx), id)
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error
	}
	return tenant.Audit(ctx, tx, "compensation.executed", "compensation", id.String(),
		map[string]any{"execution": state, "ref": ref, "error": reason})
}
