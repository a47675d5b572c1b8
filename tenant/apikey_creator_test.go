package tenant_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// A key is made by a member whose role allows it when the key is stored,
// not when their credential was read: a request that authenticated before
// its sender was removed or demoted (a cached credential, or a removal
// racing the request) makes no key, so no key outlives the revocation of
// its creator's keys.
func TestCreateAPIKeyChecksTheCreatorsRoleNow(t *testing.T) {
	svc := tenant.NewService(env.App)
	ws, owner := signup(t, svc, "Racing Keys")
	ownerCtx := as(ws, owner, tenant.RoleOwner)
	admin := func() uuid.UUID { return join(t, svc, ownerCtx, tenant.RoleAdmin) }
	// staleAdmin is the admin's request as it was authenticated, before
	// the change below.
	staleAdmin := func(id uuid.UUID) context.Context { return as(ws, id, tenant.RoleAdmin) }
	liveKeysOf := func(id uuid.UUID) int64 {
		var n int64
		err := postgres.Tx(ownerCtx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT count(*) FROM api_keys WHERE tenant_id = ? AND created_by = ? AND revoked_at IS NULL`, ws, id).Scan(&n).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	in := tenant.APIKeyInput{Name: "integration", Scopes: []string{"conversations:write", "webhooks:write"}}

	t.Run("ErrForbiddenOnceRemoved", func(t *testing.T) {
		id := admin()
		if err := svc.RemoveMember(ownerCtx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateAPIKey(staleAdmin(id), in); deskpool.ErrorCode(err) != deskpool.EFORBIDDEN {
			t.Fatalf("a removed admin's key: %v, want EFORBIDDEN", err)
		}
		if n := liveKeysOf(id); n != 0 {
			t.Fatalf("%d live keys of a removed member", n)
		}
	})
	t.Run("ErrForbiddenOnceDemoted", func(t *testing.T) {
		id := admin()
		if _, err := svc.ChangeRole(ownerCtx, id, tenant.RoleAgent); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateAPIKey(staleAdmin(id), in); deskpool.ErrorCode(err) != deskpool.EFORBIDDEN {
			t.Fatalf("a demoted admin's key: %v, want EFORBIDDEN", err)
		}
		if n := liveKeysOf(id); n != 0 {
			t.Fatalf("%d live keys of a member demoted to agent", n)
		}
	})
	t.Run("AdminStillMakesKeys", func(t *testing.T) {
		id := admin()
		if _, err := svc.CreateAPIKey(staleAdmin(id), in); err != nil {
			t.Fatal(err)
		}
		if n := liveKeysOf(id); n != 1 {
			t.Fatalf("%d live keys, want 1", n)
		}
	})
}

// An invitation is sent by a member whose role allows it when it is
// stored: a request authenticated before its sender was removed sends
// none, so none outlives the withdrawal of the sender's invitations.
func TestInviteChecksTheSendersRoleNow(t *testing.T) {
	svc := tenant.NewService(env.App)
	ws, owner := signup(t, svc, "Racing Invitations")
	ownerCtx := as(ws, owner, tenant.RoleOwner)
	admin := join(t, svc, ownerCtx, tenant.RoleAdmin)
	if err := svc.RemoveMember(ownerCtx, admin); err != nil {
		t.Fatal(err)
	}
	stale := as(ws, admin, tenant.RoleAdmin)
	if _, err := svc.Invite(stale, tenant.InvitationInput{Email: uuid.NewString() + "@example.com", Role: tenant.RoleAdmin}); deskpool.ErrorCode(err) != deskpool.EFORBIDDEN {
		t.Fatalf("a removed admin's invitation: %v, want EFORBIDDEN", err)
	}
}

// Changing or removing a member is judged by the role the person acting
// has now, not the one their credential was read with: an admin demoted
// or removed meanwhile promotes and removes nobody.
func TestMemberChangesUseTheActorsRoleNow(t *testing.T) {
	svc := tenant.NewService(env.App)
	ws, owner := signup(t, svc, "Racing Roles")
	ownerCtx := as(ws, owner, tenant.RoleOwner)
	member := func(role string) uuid.UUID { return join(t, svc, ownerCtx, role) }
	stale := func(id uuid.UUID) context.Context { return as(ws, id, tenant.RoleAdmin) }
	t.Run("ErrForbiddenPromotingOnceDemoted", func(t *testing.T) {
		admin, agent := member(tenant.RoleAdmin), member(tenant.RoleAgent)
		if _, err := svc.ChangeRole(ownerCtx, admin, tenant.RoleAgent); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ChangeRole(stale(admin), agent, tenant.RoleAdmin); deskpool.ErrorCode(err) != deskpool.EFORBIDDEN {
			t.Fatalf("a demoted admin promoting an agent: %v, want EFORBIDDEN", err)
		}
	})
	t.Run("ErrForbiddenRemovingOnceRemoved", func(t *testing.T) {
		admin, agent := member(tenant.RoleAdmin), member(tenant.RoleAgent)
		if err := svc.RemoveMember(ownerCtx, admin); err != nil {
			t.Fatal(err)
		}
		if err := svc.RemoveMember(stale(admin), agent); deskpool.ErrorCode(err) != deskpool.EFORBIDDEN {
			t.Fatalf("a removed admin removing an agent: %v, want EFORBIDDEN", err)
		}
	})
}
