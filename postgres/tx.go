package postgres

import (
	"context"
	"errors"
	"log/slog"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
)

type txKey struct{}

type txState struct {
	tx          *gorm.DB
	tenantID    uuid.UUID
	afterCommit *[]func()
	doomed      *error // shared by every level: set, the transaction can only roll back
}

// Tx runs fn inside a transaction scoped to the tenant of the actor in ctx:
// it sets app.tenant_id for the transaction, so row-level security admits
// only that tenant's rows. A transaction already in ctx for the same tenant
// is reused through a savepoint. Functions registered with AfterCommit run
// once the outermost transaction commits.
func Tx(ctx context.Context, db *gorm.DB, fn func(ctx context.Context, tx *gorm.DB) error) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	if tenantID == uuid.Nil {
		return deskpool.Errorf(deskpool.EINTERNAL, "tenant transaction without a tenant")
	}
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		if st.tenantID != tenantID {
			return deskpool.Errorf(deskpool.EINTERNAL, "tenant transaction nested across tenants")
		}
		// Hooks of a savepoint join the parent's only if it is released:
		// work registered by a rolled-back savepoint must not happen.
		var hooks []func()
		err := st.tx.Transaction(func(tx *gorm.DB) error {
			inner := &txState{tx: tx, tenantID: tenantID, afterCommit: &hooks, doomed: st.doomed}
			return fn(context.WithValue(context.WithValue(ctx, txKey{}, inner), hooksKey{}, &hooks), tx)
		})
		if err == nil {
			*st.afterCommit = append(*st.afterCommit, hooks...)
		}
		return translate(err)
	}
	var hooks []func()
	var doomed error
	ctx = context.WithValue(ctx, txIDKey{}, deskpool.NewID())
	err := begin(ctx, db, tenantID, func(tx *gorm.DB) error {
		st := &txState{tx: tx, tenantID: tenantID, afterCommit: &hooks, doomed: &doomed}
		if err := fn(context.WithValue(context.WithValue(ctx, txKey{}, st), hooksKey{}, &hooks), tx); err != nil {
			return err
		}
		return doomed
	})
	if err != nil {
		return translate(err)
	}
	for _, h := range hooks {
		h()
	}
	return nil
}

// Join runs fn in the tenant transaction in ctx as part of it, without the
// savepoint (a subtransaction) that a nested Tx costs, or in a transaction
// of its own when ctx has none. It is for work whose failure fails its
// caller: an error from fn dooms the whole transaction, which then rolls
// back even if a caller goes on, and its after-commit functions never run.
func Join(ctx context.Context, db *gorm.DB, fn func(ctx context.Context, tx *gorm.DB) error) error {
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok {
		return Tx(ctx, db, fn)
	}
	if st.tenantID != deskpool.TenantIDFromContext(ctx) {
		return deskpool.Errorf(deskpool.EINTERNAL, "tenant transaction joined across tenants")
	}
	err := fn(ctx, st.tx)
	if err != nil && *st.doomed == nil {
		*st.doomed = err
	}
	return translate(err)
}

// AfterCommit registers fn to run after the innermost transaction in ctx
// (a tenant one, a savepoint of it, or a System one) commits; with no
// transaction in ctx it runs fn at once. A System transaction opened in a
// request's tenant transaction keeps its own: its work is done once it
// commits, whatever the request's transaction does after.
func AfterCommit(ctx context.Context, fn func()) {
	if hooks, ok := ctx.Value(hooksKey{}).(*[]func()); ok {
		*hooks = append(*hooks, fn)
		return
	}
	fn()
}

// hooksKey carries the AfterCommit functions of the innermost transaction
// in ctx.
type hooksKey struct{}

// txIDKey carries the id of the transaction in ctx (TxID).
type txIDKey struct{}

// TxID names the transaction in ctx, a tenant one (with its savepoints)
// or a System one: the same id for all the work done in it, uuid.Nil
// outside any. Work to be done once per transaction, however many paths
// ask for it, keys on it (an outbox task whose id is derived from it is
// written once).
func TxID(ctx context.Context) uuid.UUID {
	id, _ := ctx.Value(txIDKey{}).(uuid.UUID)
	return id
}

// InTx reports whether ctx carries a tenant transaction.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*txState)
	return ok
}

var systemPathTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "deskpool_system_path_total",
	Help: "Transactions run on the cross-tenant system path, by reason.",
}, []string{"reason"})

func init() { prometheus.MustRegister(systemPathTotal) }

// System runs fn in a transaction on the system connection, which sees every
// tenant. It is the one path for cross-tenant work (outbox reconciliation,
// pool routing, platform jobs); each use names its reason and is logged and
// counted. Domain code must write a tenant's own audit entry for any change
// it makes there. Functions registered with AfterCommit run once it
// commits (an outbox task is relayed only then).
func System(ctx context.Context, sysdb *gorm.DB, reason string, fn func(ctx context.Context, tx *gorm.DB) error) error {
	if reason == "" {
		return deskpool.Errorf(deskpool.EINTERNAL, "system path used without a reason")
	}
	systemPathTotal.WithLabelValues(reason).Inc()
	slog.DebugContext(ctx, "system path", "reason", reason)
	var doomed error // a deferred write that failed (see Defer)
	var hooks []func()
	ctx = context.WithValue(context.WithValue(ctx, systemKey{}, &doomed), txIDKey{}, deskpool.NewID())
	ctx = context.WithValue(ctx, hooksKey{}, &hooks)
	err := translate(sysdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := fn(ctx, tx); err != nil {
			return err
		}
		return doomed
	}))
	if err != nil {
		return err
	}
	for _, h := range hooks {
		h()
	}
	return nil
}

type systemKey struct{}

// doom records that a deferred write run at once on the system path
// failed: the System transaction in ctx then rolls back with err. With no
// System transaction in ctx, err is left on tx, whose later statements
// fail with it.
func doom(ctx context.Context, tx *gorm.DB, err error) {
	if d, ok := ctx.Value(systemKey{}).(*error); ok {
		if *d == nil {
			*d = err
		}
		return
	}
	_ = tx.AddError(err)
}

// translate maps database errors that carry meaning for the caller to
// application error codes.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var de *deskpool.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return deskpool.Errorf(deskpool.ENOTFOUND, "Not found.")
	}
	return err
}
