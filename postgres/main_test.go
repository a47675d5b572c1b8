package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/tenant"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Run(m, "postgres", &env)) }

// signupCached signs up a workspace and returns it with its owner's
// session token.
func signupCached(t *testing.T, svc *tenant.Service, email string) (*tenant.Workspace, string) {
	t.Helper()
	ws, _, sess, err := svc.Signup(context.Background(), tenant.SignupInput{Email: email, Password: "correct horse battery", BrandName: "Cache Co"})
	if err != nil {
		t.Fatal(err)
	}
	return ws, sess.Token
}
