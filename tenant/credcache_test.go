package tenant_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"gorm.io/gorm"
)

// listening returns a service on its own connection pool whose change
// listener is connected.
func listening(t *testing.T) (*tenant.Service, *gorm.DB) {
	t.Helper()
	db, err := postgres.OpenDB(env.AppDSN, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	svc := tenant.NewService(db)
	testenv.Listen(t, svc, env.AppDSN)
	return svc, db
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// authenticate runs Authenticate in a tenant transaction of svc's pool.
func authenticate(svc *tenant.Service, db *gorm.DB, token string) (deskpool.Actor, error) {
	_, tenantID, _ := tenant.ParseToken(token)
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: tenantID})
	var a deskpool.Actor
	err := postgres.Tx(ctx, db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		a, err = svc.Authenticate(ctx, tx, token)
		return err
	})
	return a, err
}

func signupCached(t *testing.T, svc *tenant.Service, email string) (*tenant.Workspace, string) {
	t.Helper()
	ws, _, sess, err := svc.Signup(context.Background(), tenant.SignupInput{Email: email, Password: "correct horse battery", BrandName: "Cache Co"})
	if err != nil {
		t.Fatal(err)
	}
	return ws, sess.Token
}

// A cached credential and workspace are answered without the database:
// with the service's connection pool closed, authentication and the
// workspace still work, and a transaction that ran no statement commits.
func TestCachedCredentialNeedsNoDatabase(t *testing.T) {
	svc, db := listening(t)
	ws, token := signupCached(t, svc, "cache-nodb@example.com")
	a, err := authenticate(svc, db, token)
	if err != nil || a.Role != tenant.RoleOwner || a.TenantID != ws.ID {
		t.Fatalf("first authentication: %+v, %v", a, err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), a)
	if _, err := svc.FindWorkspace(ctx); err != nil {
		t.Fatal(err)
	}
	pool, _ := db.DB()
	pool.Close()

	a, err = authenticate(svc, db, token)
	if err != nil || a.Role != tenant.RoleOwner {
		t.Fatalf("cached authentication: %+v, %v", a, err)
	}
	got, err := svc.FindWorkspace(ctx)
	if err != nil || got.ID != ws.ID || got.Name != "Cache Co" {
		t.Fatalf("cached workspace: %+v, %v", got, err)
	}
	ran := false
	err = postgres.Tx(ctx, db, func(ctx context.Context, tx *gorm.DB) error {
		postgres.AfterCommit(ctx, func() { ran = true })
		return nil
	})
	if err != nil || !ran {
		t.Fatalf("empty transaction: err %v, after-commit ran %v", err, ran)
	}
	err = postgres.Tx(ctx, db, func(ctx context.Context, tx *gorm.DB) error {
		var n int
		return tx.Raw(`SELECT 1`).Scan(&n).Error
	})
	if err == nil {
		t.Fatal("a statement on a closed pool succeeded")
	}
}

// A change made through another process (another service and pool) reaches
// this process's cache when it commits: a logout or revocation is refused
// and a role change is seen.
func TestCacheFollowsChangesFromOtherProcesses(t *testing.T) {
	mine, db := listening(t)
	other := tenant.NewService(env.App)
	_, token := signupCached(t, other, "cache-other@example.com")
	owner, err := authenticate(mine, db, token)
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), owner)
	key, err := other.CreateAPIKey(ctx, tenant.APIKeyInput{Name: "k", Scopes: []string{"messages:write"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := authenticate(mine, db, key.Key); err != nil {
		t.Fatal(err)
	}
	if err := other.RevokeAPIKey(ctx, key.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the revoked key to be refused", func() bool {
		_, err := authenticate(mine, db, key.Key)
		return deskpool.ErrorCode(err) == deskpool.EUNAUTHORIZED
	})

	// An agent's role changed by the owner.
	inv, err := other.Invite(ctx, tenant.InvitationInput{Email: "cache-agent@example.com", Role: tenant.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	agentSess, _, _, err := other.AcceptInvitation(context.Background(), inv.Token, tenant.AcceptInput{Password: "another good passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := authenticate(mine, db, agentSess.Token)
	if err != nil || agent.Role != tenant.RoleAgent {
		t.Fatalf("agent: %+v, %v", agent, err)
	}
	if _, err := other.ChangeRole(ctx, agent.UserID, tenant.RoleViewer); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the role change to be seen", func() bool {
		a, err := authenticate(mine, db, agentSess.Token)
		return err == nil && a.Role == tenant.RoleViewer
	})
	if err := other.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the logged-out session to be refused", func() bool {
		_, err := authenticate(mine, db, token)
		return deskpool.ErrorCode(err) == deskpool.EUNAUTHORIZED
	})
}

// This process's own changes take effect at once, with no wait for the
// notice.
func TestCacheDropsOwnChangesAtCommit(t *testing.T) {
	svc, db := listening(t)
	_, token := signupCached(t, svc, "cache-own@example.com")
	a, err := authenticate(svc, db, token)
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), a)
	key, err := svc.CreateAPIKey(ctx, tenant.APIKeyInput{Name: "k", Scopes: []string{"messages:write"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := authenticate(svc, db, key.Key); err != nil {
		t.Fatal(err)
	}
	if err := svc.RevokeAPIKey(ctx, key.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := authenticate(svc, db, key.Key); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
		t.Fatalf("revoked key right after revocation: %v", err)
	}
	if err := svc.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := authenticate(svc, db, token); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
		t.Fatalf("session right after logout: %v", err)
	}
}

// Losing the listener turns the cache off and empties it, so a change whose
// notice was lost is still seen once the listener is back.
func TestCacheOffWhileListenerIsLost(t *testing.T) {
	svc, db := listening(t)
	other := tenant.NewService(env.App)
	_, token := signupCached(t, other, "cache-lost@example.com")
	a, err := authenticate(svc, db, token)
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), a)
	if err := env.App.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = ?`, tenant.ListenerName).Error; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the cache to turn off", func() bool { return !svc.Listening() })
	if err := other.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := authenticate(svc, db, token); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
		t.Fatalf("session after logout with the listener lost: %v", err)
	}
	waitFor(t, "the listener to reconnect", svc.Listening)
	if _, err := authenticate(svc, db, token); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
		t.Fatalf("session after logout once the listener is back: %v", err)
	}
}
