package tenant

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// A workspace may require two-step sign-in of its members
// (Workspace.RequireTwoFactor). While it does, a person whose account
// signs in with the password alone reaches, in that workspace, only what
// sets two-step sign-in up: RequireTwoFactorOf refuses the rest, and the
// API lets through only GET /v1/me, the enrolment routes and logout. API
// keys are not people and are never refused; other workspaces of the
// same person are not affected. A person cannot turn two-step sign-in
// off while a workspace of theirs requires it.

// TwoFactorSetupRequired refuses a request of a person without two-step
// sign-in in a workspace that requires it. It unwraps to an EFORBIDDEN
// *deskpool.Error saying what to do.
type TwoFactorSetupRequired struct {
	Workspace Workspace // the workspace that requires it
	err       *deskpool.Error
}

// Error implements the error interface.
func (e *TwoFactorSetupRequired) Error() string { return e.err.Error() }

// Unwrap returns the EFORBIDDEN error, for deskpool.ErrorCode.
func (e *TwoFactorSetupRequired) Unwrap() error { return e.err }

// RequireTwoFactorOf refuses the actor with *TwoFactorSetupRequired when
// they are a person whose account signs in with the password alone
// (Actor.TwoFactor false) and their workspace requires two-step sign-in.
// The workspace is read from the process's cache while the change
// listener runs; people with two-step sign-in and API keys cost nothing.
func (s *Service) RequireTwoFactorOf(ctx context.Context, a deskpool.Actor) error {
	if a.UserID == uuid.Nil || a.TwoFactor {
		return nil
	}
	ws, err := s.FindWorkspace(ctx)
	if err != nil {
		return err
	} else if !ws.RequireTwoFactor {
		return nil
	}
	return &TwoFactorSetupRequired{Workspace: *ws, err: deskpool.Errorf(deskpool.EFORBIDDEN,
		"The workspace %s requires two-step sign-in of its members: turn it on for your account first "+
			"(POST /v1/me/two-factor with your password, then POST /v1/me/two-factor/confirm with the authenticator app's code). "+
			"Until then only that, GET /v1/me and logging out are open to you in this workspace.", ws.Name)}
}

// errOwnTwoFactorOff refuses to require two-step sign-in of a workspace's
// members asked by a person without it, who would shut themself out.
var errOwnTwoFactorOff = &deskpool.Error{Code: deskpool.ECONFLICT,
	Message: "Turn two-step sign-in on for your own account first (POST /v1/me/two-factor): requiring it of every member would otherwise shut you out of this workspace too. Nothing was changed.",
	Fields:  []deskpool.FieldError{{Field: "require_two_factor", Message: "can be turned on only by a person whose own account has two-step sign-in on"}}}

// requireTwoFactor sets whether the workspace tenantID requires two-step
// sign-in, inside its transaction tx. Only a person changes it (API keys
// have no workspace:write), and one turning it on must have two-step
// sign-in on themself (ECONFLICT naming require_two_factor otherwise). A
// change is audited as workspace.two_factor_required or
// workspace.two_factor_not_required, with how many members signed in
// without it then; asking for the value it has changes nothing.
func (s *Service) requireTwoFactor(ctx context.Context, tx *gorm.DB, tenantID uuid.UUID, on bool) error {
	a, _ := deskpool.ActorFromContext(ctx)
	if a.UserID == uuid.Nil {
		return deskpool.Errorf(deskpool.EFORBIDDEN, "Only a person signed in can change whether the workspace requires two-step sign-in.")
	}
	var cur struct {
		Found            bool
		RequireTwoFactor bool
	}
	if err := tx.Raw(`SELECT true AS found, require_two_factor FROM tenants WHERE id = ? FOR UPDATE`, tenantID).Scan(&cur).Error; err != nil {
		return err
	} else if !cur.Found {
		return deskpool.Errorf(deskpool.ENOTFOUND, "Workspace not found.")
	} else if cur.RequireTwoFactor == on {
		return nil
	}
	if on {
		var own bool
		if err := tx.Raw(`SELECT two_factor_enabled_at IS NOT NULL FROM users WHERE id = ?`, a.UserID).Scan(&own).Error; err != nil {
			return err
		} else if !own {
			return errOwnTwoFactorOff
		}
	}
	without, err := membersWithoutTwoFactor(tx, tenantID)
	if err != nil {
		return err
	}
	if err := tx.Exec(`UPDATE tenants SET require_two_factor = ?, updated_at = now() WHERE id = ?`, on, tenantID).Error; err != nil {
		return err
	}
	action := "workspace.two_factor_not_required"
	if on {
		action = "workspace.two_factor_required"
	}
	return Audit(ctx, tx, action, "workspace", tenantID.String(),
		map[string]any{"require_two_factor": on, "members_without_two_factor": without})
}

// membersWithoutTwoFactor counts the workspace's members whose account
// signs in with the password alone, inside its transaction tx.
func membersWithoutTwoFactor(tx *gorm.DB, tenantID uuid.UUID) (int, error) {
	var n int
	err := tx.Raw(`SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.tenant_id = ? AND u.two_factor_enabled_at IS NULL`, tenantID).Scan(&n).Error
	return n, err
}

// requiringWorkspaces refuses, with ECONFLICT naming them, to turn
// two-step sign-in off for userID while workspaces of theirs require it;
// tx is on the system path (their memberships span workspaces).
func requiringWorkspaces(tx *gorm.DB, userID uuid.UUID) error {
	var names []string
	if err := tx.Raw(`SELECT t.name FROM memberships m JOIN tenants t ON t.id = m.tenant_id
		WHERE m.user_id = ? AND t.require_two_factor ORDER BY t.name`, userID).Scan(&names).Error; err != nil {
		return err
	} else if len(names) == 0 {
		return nil
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return deskpool.Errorf(deskpool.ECONFLICT,
		"Two-step sign-in stays on: the workspace(s) %s require it of their members. An owner or admin there can stop requiring it first; nothing was changed.",
		strings.Join(quoted, ", "))
}

// announceTwoFactorChange tells every process, once tx commits, that the
// person's two-step sign-in changed in each of their workspaces: what
// their sessions are cached with (Actor.TwoFactor) is read again.
func announceTwoFactorChange(tx *gorm.DB, tenants []uuid.UUID) error {
	for _, t := range tenants {
		if err := tx.Exec(`SELECT pg_notify(?, ?)`, ChangesChannel, t.String()).Error; err != nil {
			return err
		}
	}
	return nil
}
