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
		ownerCtx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws, UserID: owner, Role: tenant.RoleOwner})
		mk := func() uuid.UUID {
			inv, err := svc.Invite(ownerCtx, tenant.InvitationInput{Email: uuid.NewString() + "@example.com", Role: tenant.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			_, u, _, err := svc.AcceptInvitation(context.Background(), inv.Token, tenant.AcceptInput{Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		a1, a2 := mk(), mk()
		ctx := func(id uuid.UUID) context.Context {
			return deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws, UserID: id, Role: tenant.RoleAdmin})
		}
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
