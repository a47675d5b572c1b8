package tenant_test

import (
	"context"
	"errors"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
)

const lockoutPassword = "correct horse battery"

// lockoutService has a small lockout so that tests reach it quickly.
func lockoutService() *tenant.Service {
	svc := tenant.NewService(env.App)
	svc.Lockout.EmailFailures, svc.Lockout.IPFailures = 3, 5
	return svc
}

// fromIP is a request context from a client address.
func fromIP(ip string) context.Context {
	return deskpool.NewContextWithActor(context.Background(), deskpool.Actor{IP: ip})
}

// invite makes an invitation for email into a new workspace of its own.
func invite(t *testing.T, svc *tenant.Service, email string) string {
	t.Helper()
	ws, owner := signup(t, svc, "Inviting Brand")
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws, UserID: owner, Role: tenant.RoleOwner})
	inv, err := svc.Invite(ctx, tenant.InvitationInput{Email: email, Role: tenant.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	return inv.Token
}

func login(svc *tenant.Service, ip, email, password string) error {
	_, _, _, err := svc.Login(fromIP(ip), tenant.LoginInput{Email: email, Password: password})
	return err
}

func accept(svc *tenant.Service, ip, token, password string) error {
	_, _, _, err := svc.AcceptInvitation(fromIP(ip), token, tenant.AcceptInput{Password: password})
	return err
}

func wantLocked(t *testing.T, what string, err error) {
	t.Helper()
	var locked *tenant.LockedError
	if deskpool.ErrorCode(err) != deskpool.ETOOMANY || !errors.As(err, &locked) || locked.RetryAfter <= 0 {
		t.Fatalf("%s: %v, want a lockout with a Retry-After", what, err)
	}
}

func newAccount(t *testing.T, svc *tenant.Service) string {
	t.Helper()
	email := uuid.NewString() + "@example.com"
	if _, _, _, err := svc.Signup(context.Background(), tenant.SignupInput{Email: email, Password: lockoutPassword, BrandName: "Own Brand"}); err != nil {
		t.Fatal(err)
	}
	return email
}

func TestPasswordLockout(t *testing.T) {
	t.Run("ErrTooManyAcceptAfterFailedLogins", func(t *testing.T) {
		svc := lockoutService()
		email := newAccount(t, svc)
		token := invite(t, svc, email)
		for i := 0; i < 3; i++ {
			if err := login(svc, "10.1.0.1", email, "not the password"); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
				t.Fatalf("failed login %d: %v", i, err)
			}
		}
		wantLocked(t, "login with the right password", login(svc, "10.1.0.2", email, lockoutPassword))
		wantLocked(t, "accepting with the right password", accept(svc, "10.1.0.3", token, lockoutPassword))
	})
	t.Run("ErrTooManyLoginAfterFailedAccepts", func(t *testing.T) {
		svc := lockoutService()
		email := newAccount(t, svc)
		token := invite(t, svc, email)
		for i := 0; i < 3; i++ {
			if err := accept(svc, "10.2.0.1", token, "a wrong passphrase"); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
				t.Fatalf("failed accept %d: %v", i, err)
			}
		}
		wantLocked(t, "accepting with the right password", accept(svc, "10.2.0.2", token, lockoutPassword))
		wantLocked(t, "login with the right password", login(svc, "10.2.0.3", email, lockoutPassword))
	})
	t.Run("SameAnswerWithOrWithoutAccount", func(t *testing.T) {
		svc := lockoutService()
		withAccount := invite(t, svc, newAccount(t, svc))
		without := invite(t, svc, uuid.NewString()+"@example.com")
		// A password the new-password rules refuse: the same 422 either way.
		for _, token := range []string{withAccount, without} {
			err := accept(svc, "10.3.0.1", token, "short")
			var e *deskpool.Error
			if !errors.As(err, &e) || e.Code != deskpool.EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "password" {
				t.Fatalf("weak password: %v, want EINVALID naming password", err)
			}
		}
		// An email locked by failed logins is locked whether an account has it or not.
		unknown := uuid.NewString() + "@example.com"
		lockedOut := invite(t, svc, unknown)
		for i := 0; i < 3; i++ {
			if err := login(svc, "10.3.0.2", unknown, "some guessed password"); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
				t.Fatalf("failed login %d: %v", i, err)
			}
		}
		wantLocked(t, "accepting for a locked email without an account", accept(svc, "10.3.0.3", lockedOut, lockoutPassword))
	})
	t.Run("ErrTooManyPerAddress", func(t *testing.T) {
		svc := lockoutService()
		for i := 0; i < 5; i++ {
			if err := login(svc, "10.4.0.1", uuid.NewString()+"@example.com", "sprayed password"); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
				t.Fatalf("failed login %d: %v", i, err)
			}
		}
		email := newAccount(t, svc)
		wantLocked(t, "login from the sprayed address", login(svc, "10.4.0.1", email, lockoutPassword))
		if err := login(svc, "10.4.0.2", email, lockoutPassword); err != nil {
			t.Fatalf("login from another address: %v", err)
		}
	})
	t.Run("SuccessClearsTheEmail", func(t *testing.T) {
		svc := lockoutService()
		email := newAccount(t, svc)
		for round := 0; round < 2; round++ {
			for i := 0; i < 2; i++ {
				if err := login(svc, "10.5.0.1", email, "not the password"); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
					t.Fatalf("failed login %d: %v", i, err)
				}
			}
			if err := login(svc, "10.5.0.1", email, lockoutPassword); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	})
}
