package tenant_test

import (
	"context"
	"sync"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
)

// Two admins removing each other at the same moment: one removal wins and
// the other is refused (its sender is no longer a member), neither waits
// for the other forever (the two memberships are locked in one order),
// and the workspace is never left without both of them by their own hands.
func TestMutualRemovalRemovesOne(t *testing.T) {
	svc := tenant.NewService(env.App)
	for round := 0; round < 10; round++ {
		ws, owner := signup(t, svc, "Mutual Removal")
		ownerCtx := as(ws, owner, tenant.RoleOwner)
		a1, a2 := join(t, svc, ownerCtx, tenant.RoleAdmin), join(t, svc, ownerCtx, tenant.RoleAdmin)
		ctx := func(id uuid.UUID) context.Context { return as(ws, id, tenant.RoleAdmin) }
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Add(2)
		go func() { defer wg.Done(); errs[0] = svc.RemoveMember(ctx(a1), a2) }()
		go func() { defer wg.Done(); errs[1] = svc.RemoveMember(ctx(a2), a1) }()
		wg.Wait()
		for _, e := range errs {
			if e != nil && deskpool.ErrorCode(e) != deskpool.EFORBIDDEN {
				t.Errorf("unexpected: %v", e)
			}
		}
		if errs[0] == nil && errs[1] == nil {
			t.Errorf("both removed each other")
		}
	}
}
