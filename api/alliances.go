package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/alliance"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// allianceRoutes registers the alliance and pool routes. They are for
// people, signed in through any workspace: what each may do is decided by
// their alliance role (alliance_admin, pool_agent) or, on a brand's own
// membership routes, by their role in that brand's workspace.
func (s *Server) allianceRoutes(v1 fiber.Router) {
	if s.deps.Alliance == nil {
		return
	}
	v1.Post("/alliances", s.signedIn(s.createAlliance))
	v1.Get("/alliances", s.signedIn(s.listAlliances))
	v1.Get("/alliances/:alliance_id", s.signedIn(s.getAlliance))
	v1.Post("/alliances/:alliance_id/members", s.signedIn(s.inviteBrand))
	v1.Post("/alliances/:alliance_id/members/:tenant_id/accept", s.signedIn(s.acceptAlliance))
	v1.Delete("/alliances/:alliance_id/members/:tenant_id", s.signedIn(s.leaveAlliance))
	v1.Put("/alliances/:alliance_id/members/:tenant_id/overflow", s.signedIn(s.setOverflow))
	v1.Get("/alliances/:alliance_id/members/:tenant_id/overflow", s.signedIn(s.getOverflow))
	v1.Post("/alliances/:alliance_id/agents", s.signedIn(s.invitePoolAgent))
	v1.Post("/alliances/:alliance_id/agents/accept", s.signedIn(s.acceptPoolInvite))
	v1.Patch("/alliances/:alliance_id/agents/:user_id", s.signedIn(s.updatePoolAgent))
	v1.Put("/alliances/:alliance_id/presence", s.signedIn(s.setPoolPresence))
	v1.Get("/alliances/:alliance_id/usage", s.signedIn(s.allianceUsage))
	v1.Get("/alliances/:alliance_id/metrics", s.signedIn(s.allianceMetrics))
	v1.Get("/pool/conversations", s.signedIn(s.listPool))
	v1.Get("/pool/conversations/:conversation_id", s.signedIn(s.getPoolConversation))
	v1.Get("/pool/conversations/:conversation_id/events", s.signedIn(s.poolEvents))
	v1.Get("/pool/notifications", s.signedIn(s.poolNotifications))
	v1.Post("/pool/conversations/:conversation_id/replies", s.signedIn(s.replyPool))
	v1.Post("/pool/conversations/:conversation_id/resolve", s.signedIn(s.resolvePool))
	v1.Post("/pool/conversations/:conversation_id/hand-back", s.signedIn(s.handBackPool))
	v1.Post("/conversations/:conversation_id/recall", s.authed("conversations:write", s.recallConversation))
}

// signedIn authenticates a person by their session in any workspace and
// runs h outside that workspace's transaction (with the same actor), so
// the alliance service can open the brand's own transaction or the system
// path. API keys are refused: alliances are for people.
func (s *Server) signedIn(h fiber.Handler) fiber.Handler {
	inner := s.authed("workspace:read", func(c *fiber.Ctx) error {
		a := actor(c)
		if a.UserID == uuid.Nil {
			return deskpool.Errorf(deskpool.EFORBIDDEN, "Alliances are for people: send a session token, not an API key.")
		}
		base, _ := c.Locals(baseContextKey).(context.Context)
		c.SetUserContext(deskpool.NewContextWithActor(base, a))
		return h(c)
	})
	return func(c *fiber.Ctx) error {
		c.Locals(baseContextKey, c.UserContext())
		return inner(c)
	}
}

const baseContextKey = "base_context"

// createAlliance: POST /v1/alliances {name}: the caller becomes its admin.
func (s *Server) createAlliance(c *fiber.Ctx) error {
	var in alliance.NewAlliance
	if err := decode(c, &in); err != nil {
		return err
	}
	a, err := s.deps.Alliance.CreateAlliance(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a)
}

// inviteBrand: POST /v1/alliances/{alliance_id}/members {slug} or
// {email}: by owner email the answer is 202, the same whether or not the
// email owns a brand.
func (s *Server) inviteBrand(c *fiber.Ctx) error {
	id, err := pathID(c, "alliance_id")
	if err != nil {
		return err
	}
	var in alliance.BrandInvite
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Email != "" {
		inv, err := s.deps.Alliance.InviteBrandByEmail(c.UserContext(), id, in)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusAccepted).JSON(inv)
	}
	m, err := s.deps.Alliance.InviteBrand(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

// memberIDs reads the alliance and brand ids of a membership route.
func memberIDs(c *fiber.Ctx) (uuid.UUID, uuid.UUID, error) {
	id, err := pathID(c, "alliance_id")
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	tenantID, err := pathID(c, "tenant_id")
	return id, tenantID, err
}

// acceptAlliance: POST /v1/alliances/{alliance_id}/members/{tenant_id}/accept:
// the brand's owner or admin consents.
func (s *Server) acceptAlliance(c *fiber.Ctx) error {
	id, tenantID, err := memberIDs(c)
	if err != nil {
		return err
	}
	m, err := s.deps.Alliance.AcceptInvitation(c.UserContext(), id, tenantID)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// leaveAlliance: DELETE /v1/alliances/{alliance_id}/members/{tenant_id}.
func (s *Server) leaveAlliance(c *fiber.Ctx) error {
	id, tenantID, err := memberIDs(c)
	if err != nil {
		return err
	}
	if err := s.deps.Alliance.Leave(c.UserContext(), id, tenantID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// setOverflow: PUT /v1/alliances/{alliance_id}/members/{tenant_id}/overflow.
func (s *Server) setOverflow(c *fiber.Ctx) error {
	id, tenantID, err := memberIDs(c)
	if err != nil {
		return err
	}
	var in alliance.OverflowRule
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.deps.Alliance.SetOverflow(c.UserContext(), id, tenantID, in)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// invitePoolAgent: POST /v1/alliances/{alliance_id}/agents.
func (s *Server) invitePoolAgent(c *fiber.Ctx) error {
	return changeByID(c, "alliance_id", fiber.StatusCreated, s.deps.Alliance.InvitePoolAgent)
}

// updatePoolAgent: PATCH /v1/alliances/{alliance_id}/agents/{user_id}:
// the admin changes a pool agent's capacity.
func (s *Server) updatePoolAgent(c *fiber.Ctx) error {
	id, err := pathID(c, "alliance_id")
	if err != nil {
		return err
	}
	user, err := pathID(c, "user_id")
	if err != nil {
		return err
	}
	var in alliance.PoolAgentUpdate
	if err := decode(c, &in); err != nil {
		return err
	}
	a, err := s.deps.Alliance.UpdatePoolAgent(c.UserContext(), id, user, in)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

// acceptPoolInvite: POST /v1/alliances/{alliance_id}/agents/accept
// {token}: the signed-in person joins the pool they were invited to, with
// the token of the invitation's link.
func (s *Server) acceptPoolInvite(c *fiber.Ctx) error {
	id, err := pathID(c, "alliance_id")
	if err != nil {
		return err
	}
	var in struct {
		Token string `json:"token"`
	}
	if len(bytes.TrimSpace(c.Body())) > 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	a, err := s.deps.Alliance.AcceptPoolInvite(c.UserContext(), id, in.Token)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

// setPoolPresence: PUT /v1/alliances/{alliance_id}/presence {status}.
func (s *Server) setPoolPresence(c *fiber.Ctx) error {
	return changeByID(c, "alliance_id", fiber.StatusOK, s.deps.Alliance.SetPresence)
}

// allianceUsage: GET /v1/alliances/{alliance_id}/usage?from=&to=&format=:
// the settlement as JSON, or as CSV (one line per brand) to export.
func (s *Server) allianceUsage(c *fiber.Ctx) error {
	id, err := pathID(c, "alliance_id")
	if err != nil {
		return err
	}
	var v deskpool.Validator
	from, to := period(c, &v)
	format := c.Query("format", "json")
	v.Check(format == "json" || format == "csv", "format", "must be json or csv")
	if err := v.Err(); err != nil {
		return err
	}
	u, err := s.deps.Alliance.FindUsage(c.UserContext(), id, from, to)
	if err != nil {
		return err
	}
	if format == "json" {
		return c.JSON(u)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"tenant_id", "brand_name", "conversations", "handle_minutes", "from", "to"})
	for _, b := range u.Brands {
		_ = w.Write([]string{b.TenantID.String(), csvText(b.BrandName), strconv.Itoa(b.Conversations),
			strconv.FormatFloat(b.HandleMinutes, 'f', 2, 64), u.From.Format(time.RFC3339), u.To.Format(time.RFC3339)})
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="alliance-usage.csv"`)
	return c.Send(buf.Bytes())
}

// period reads the from and to query parameters (RFC 3339, optional).
func period(c *fiber.Ctx, v *deskpool.Validator) (from, to time.Time) {
	return timeParam(c, v, "from"), timeParam(c, v, "to")
}

// allianceMetrics: GET /v1/alliances/{alliance_id}/metrics?from=&to=: the
// pool's speed and quality, per brand and per pool agent.
func (s *Server) allianceMetrics(c *fiber.Ctx) error {
	id, err := pathID(c, "alliance_id")
	if err != nil {
		return err
	}
	var v deskpool.Validator
	from, to := period(c, &v)
	if err := v.Err(); err != nil {
		return err
	}
	m, err := s.deps.Alliance.FindMetrics(c.UserContext(), id, from, to)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// getPoolConversation: GET /v1/pool/conversations/{conversation_id}, masked.
func (s *Server) getPoolConversation(c *fiber.Ctx) error {
	return readByID(c, "conversation_id", s.deps.Alliance.FindPoolConversation)
}

// replyPool: POST /v1/pool/conversations/{conversation_id}/replies.
func (s *Server) replyPool(c *fiber.Ctx) error {
	return changeByID(c, "conversation_id", fiber.StatusCreated, s.deps.Alliance.ReplyPool)
}

// resolvePool: POST /v1/pool/conversations/{conversation_id}/resolve.
func (s *Server) resolvePool(c *fiber.Ctx) error {
	return noContentByID(c, "conversation_id", s.deps.Alliance.ResolvePool)
}

// handBackPool: POST /v1/pool/conversations/{conversation_id}/hand-back:
// back to the brand's own queue.
func (s *Server) handBackPool(c *fiber.Ctx) error {
	return noContentByID(c, "conversation_id", s.deps.Alliance.HandBackPool)
}

// recallConversation: POST /v1/conversations/{conversation_id}/recall: the
// brand takes its conversation back from the alliance's pool.
func (s *Server) recallConversation(c *fiber.Ctx) error {
	return noContentByID(c, "conversation_id", s.deps.Alliance.Recall)
}

// csvText keeps a spreadsheet from reading a cell as a formula.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
