package tenant_test

import (
	"context"
	"errors"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"gorm.io/gorm"
)

// A nested transaction that opens the outer one (its savepoint goes out
// with the BEGIN) still rolls back alone: the outer transaction goes on
// and commits without the inner one's work.
func TestSavepointOpeningTheTransaction(t *testing.T) {
	svc := tenant.NewService(env.App)
	ws, _ := signupCached(t, svc, "savepoint-first@example.com")
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	failed := errors.New("inner failed")
	err := tenant.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		err := tenant.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			if err := tenant.Audit(ctx, tx, "test.inner", "test", "inner", nil); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Errorf("inner transaction: %v", err)
		}
		return tenant.Audit(ctx, tx, "test.outer", "test", "outer", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	env.System.Raw(`SELECT action FROM audit_log WHERE tenant_id = ? AND action LIKE 'test.%' ORDER BY action`, ws.ID).Scan(&actions)
	if len(actions) != 1 || actions[0] != "test.outer" {
		t.Fatalf("audit after the inner rollback: %v", actions)
	}
}
