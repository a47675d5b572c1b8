package api

import (
	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
)

type signupResponse struct {
	Tenant    *tenant.Workspace `json:"tenant"`
	User      userView          `json:"user"`
	Token     string            `json:"token"`
	ExpiresAt string            `json:"expires_at"`
}

// userView is a person's account as the API shows it; EmailVerified
// tells whether they proved the email is theirs.
type userView struct {
	ID            string `json:"id"`
	Email         string `json:"email"`
	Name          string `json:"name"`
	EmailVerified bool   `json:"email_verified"`
	// TwoFactorEnabled tells, in GET /v1/me only, whether signing in
	// takes a code from an authenticator app.
	TwoFactorEnabled *bool `json:"two_factor_enabled,omitempty"`
}

func viewUser(u *tenant.User) userView {
	return userView{ID: u.ID.String(), Email: u.Email, Name: u.Name, EmailVerified: u.EmailVerified()}
}

// signup opens a workspace: POST /v1/signup. The owner's email is not
// verified yet: the link that verifies it is queued with the workspace.
func (s *Server) signup(c *fiber.Ctx) error {
	var in tenant.SignupInput
	if err := decode(c, &in); err != nil {
		return err
	}
	in.LinkBase = s.publicURL(c) // where the email verification link points
	ws, u, sess, err := s.deps.Tenants.Signup(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(signupResponse{Tenant: ws, User: viewUser(u), Token: handOver(c, sess),
		ExpiresAt: sess.ExpiresAt.Format(timeFormat)})
}

// workspace returns the caller's workspace: GET /v1/workspace.
func (s *Server) workspace(c *fiber.Ctx) error {
	ws, err := s.deps.Tenants.FindWorkspace(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(ws)
}

// updateWorkspace changes the workspace's settings (name, country):
// PATCH /v1/workspace.
func (s *Server) updateWorkspace(c *fiber.Ctx) error {
	var in tenant.WorkspaceUpdate
	if err := decode(c, &in); err != nil {
		return err
	}
	ws, err := s.deps.Tenants.UpdateWorkspace(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.JSON(ws)
}

// meResponse is who the caller is; a person has user_id, an API key has
// api_key_id and scopes.
type meResponse struct {
	Tenant   *tenant.Workspace `json:"tenant"`
	Kind     string            `json:"kind"`
	Role     string            `json:"role"`
	UserID   string            `json:"user_id,omitempty"`
	User     *userView         `json:"user,omitempty"` // a person's account, with whether its email is verified
	APIKeyID string            `json:"api_key_id,omitempty"`
	Scopes   *[]string         `json:"scopes,omitempty"`
}

// me tells who the caller is: GET /v1/me.
func (s *Server) me(c *fiber.Ctx) error {
	a := actor(c)
	ws, err := s.deps.Tenants.FindWorkspace(c.UserContext())
	if err != nil {
		return err
	}
	out := meResponse{Tenant: ws, Kind: a.Kind(), Role: a.Role}
	if a.Kind() == "user" {
		u, err := s.deps.Tenants.FindUser(c.UserContext())
		if err != nil {
			return err
		}
		view, on := viewUser(u), u.TwoFactorEnabled()
		view.TwoFactorEnabled = &on
		out.UserID, out.User = a.UserID.String(), &view
	} else {
		scopes := append([]string{}, a.Scopes...)
		out.APIKeyID, out.Scopes = a.APIKeyID.String(), &scopes
	}
	return c.JSON(out)
}

const timeFormat = "2006-01-02T15:04:05.000000Z07:00"
