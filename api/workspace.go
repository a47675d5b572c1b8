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

type userView struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

func viewUser(u *tenant.User) userView {
	return userView{ID: u.ID.String(), Email: u.Email, Name: u.Name}
}

// signup opens a workspace: POST /v1/signup.
func (s *Server) signup(c *fiber.Ctx) error {
	var in tenant.SignupInput
	if err := decode(c, &in); err != nil {
		return err
	}
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
		out.UserID = a.UserID.String()
	} else {
		scopes := append([]string{}, a.Scopes...)
		out.APIKeyID, out.Scopes = a.APIKeyID.String(), &scopes
	}
	return c.JSON(out)
}

const timeFormat = "2006-01-02T15:04:05.000000Z07:00"
