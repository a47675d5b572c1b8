package tenant_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// The plan is read once per workspace while the listener is connected,
// and read again once a change of plan is announced.
func TestPlanIsCachedUntilItChanges(t *testing.T) {
	svc, db := listening(t)
	ws, _, _, err := svc.Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Plan"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	plan := func(s *tenant.Service) string {
		t.Helper()
		var p string
		if err := postgres.Tx(ctx, db, func(ctx context.Context, tx *gorm.DB) (err error) {
			p, err = s.Plan(ctx, tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	deaf := tenant.NewService(db)
	testenv.Listen(t, deaf, env.DeafDSN())
	if plan(svc) != "free" || plan(deaf) != "free" {
		t.Fatal("a new workspace is not on the free plan")
	}
	if err := env.System.Exec(`UPDATE tenants SET plan = 'premium' WHERE id = ?`, ws.ID).Error; err != nil {
		t.Fatal(err)
	}
	t.Run("CachedWhileNothingIsHeard", func(t *testing.T) {
		if p := plan(deaf); p != "free" {
			t.Fatalf("a service that heard no change read the plan again: %q", p)
		}
	})
	t.Run("ReadAgainOnceTheChangeIsHeard", func(t *testing.T) {
		waitFor(t, "the new plan", func() bool { return plan(svc) == "premium" })
	})
	t.Run("ReadEveryTimeWithoutAService", func(t *testing.T) {
		if p := plan(nil); p != "premium" {
			t.Fatalf("plan %q, want premium", p)
		}
	})
}
