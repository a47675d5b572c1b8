package api

import (
	"context"
	"net/http"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// admissionLocal is the fiber local under which authed leaves the
// request's admission.
const admissionLocal = "admission"

// admission is what authed admitted a request with, kept for a response
// that outlives its request (a change stream) to be checked again while
// it lasts.
type admission struct {
	token    string
	perm     tenant.Permission
	enrol    bool // admitted by authedEnrol: two-step sign-in is not required
	tenantID uuid.UUID
	ip       string
}

// admissionOf returns the admission authed left on c.
func admissionOf(c *fiber.Ctx) admission {
	a, _ := c.Locals(admissionLocal).(admission)
	return a
}

// admitCheckTimeout bounds one check of an admission: a database that
// does not answer ends the stream rather than holding it open unchecked.
const admitCheckTimeout = 5 * time.Second

// stillAdmitted checks again, outside its request, what authed checked to
// admit a: that the credential authenticates in its workspace (the
// session or key is neither revoked nor expired, the session's person is
// still a member) and still holds the permission. It goes through the
// same Authenticate as every request, so it is answered from the
// credential cache while that cache's listener runs: a revocation,
// removal or role change committed in any process drops the workspace's
// entries in every process, and the next check reads the database once.
// The error is EUNAUTHORIZED or EFORBIDDEN when access has ended; any
// other error means it could not be checked.
func (s *Server) stillAdmitted(a admission) error {
	ctx, cancel := context.WithTimeout(context.Background(), admitCheckTimeout)
	defer cancel()
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: a.tenantID, IP: a.ip})
	return postgres.Tx(ctx, s.deps.DB, func(ctx context.Context, tx *gorm.DB) error {
		actor, err := s.deps.Tenants.Authenticate(ctx, tx, a.token)
		if err != nil {
			return err
		}
		ctx = deskpool.NewContextWithActor(ctx, actor)
		if !a.enrol {
			if err := s.deps.Tenants.RequireTwoFactorOf(ctx, actor); err != nil {
				return err
			}
		}
		return s.authorize(actor, a.perm)
	})
}

// accessEnded reports whether err, from stillAdmitted, says the
// credential no longer admits its holder, and if so the problem document
// that a new request with it would get.
func accessEnded(err error) (Problem, bool) {
	code := deskpool.ErrorCode(err)
	if code != deskpool.EUNAUTHORIZED && code != deskpool.EFORBIDDEN {
		return Problem{}, false
	}
	status := codeStatus[code]
	p := Problem{Type: problemBase + code, Title: http.StatusText(status), Status: status, Detail: deskpool.ErrorMessage(err)}
	setupProblem(&p, err)
	return p, true
}
